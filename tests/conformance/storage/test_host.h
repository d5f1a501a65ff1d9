// A zk::Host for storage tests: real clocks (storage never reads them), seeded randomness,
// Post runs inline, timers are a test failure (a storage plugin must not start any), and
// every log line is kept so a test can assert that a warning was logged.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "zk/host.h"

namespace zk::testing {

class TestHost : public Host {
 public:
  explicit TestHost(bool echo = true) : echo_(echo) {}

  int64_t NowMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  int64_t WallMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  uint64_t Random() override {
    std::lock_guard<std::mutex> lock(mu_);
    return rng_();
  }
  void Post(std::function<void()> fn) override { fn(); }
  TimerId StartTimer(int64_t, std::function<void()>) override {
    ADD_FAILURE() << "a storage plugin started a host timer";
    return 0;
  }
  void CancelTimer(TimerId) override {}
  void Log(LogLevel level, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu_);
    logs_.emplace_back(level, std::string(message));
    if (echo_)
      std::fprintf(stderr, "[host log %d] %.*s\n", static_cast<int>(level),
                   static_cast<int>(message.size()), message.data());
  }

  // True if a line at `level` containing `needle` was logged.
  bool Logged(LogLevel level, const std::string& needle) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [l, m] : logs_) {
      if (l == level && m.find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  const bool echo_;
  std::mutex mu_;
  std::mt19937_64 rng_{42};
  std::vector<std::pair<LogLevel, std::string>> logs_;
};

}  // namespace zk::testing
