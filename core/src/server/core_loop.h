// CoreLoop: the one thread that owns DataTree, sessions and the election instance (DESIGN §4),
// and the zk::Host that zknode lends its plugins. Boost.Asio io_context underneath.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "zk/host.h"

namespace zk::server {

class CoreLoop : public Host {
 public:
  explicit CoreLoop(uint64_t seed);
  ~CoreLoop() override;

  // Runs the loop on the calling thread until Stop(). REQUIRES: not already running.
  void Run();
  // Runs the loop on a new thread (tests).
  void RunInThread();
  // Makes Run() return once queued handlers ran; joins the thread if RunInThread was used.
  void Stop();
  // Waits for the thread started by RunInThread to leave the loop (after a handler stopped it).
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  bool running_in_thread() const { return thread_.joinable(); }
  bool InLoop() const { return std::this_thread::get_id() == loop_thread_.load(); }
  boost::asio::io_context& io() { return io_; }

  int64_t NowMs() override;
  int64_t WallMs() override;
  uint64_t Random() override;
  void Post(std::function<void()> fn) override;
  TimerId StartTimer(int64_t delay_ms, std::function<void()> fn) override;
  void CancelTimer(TimerId id) override;
  void Log(LogLevel level, std::string_view message) override;

 private:
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::atomic<std::thread::id> loop_thread_{};
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  TimerId next_timer_ = 1;
  std::unordered_map<TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace zk::server
