// Helpers of the transport conformance suite: loading a transport plugin straight from
// ZK_PLUGIN_DIR with Boost.DLL, a test Host with its own loop thread and a fake clock, and a
// handler that records callbacks and checks the ordering contract of zk/transport.h.
#pragma once

#include <gtest/gtest.h>

#include <boost/dll/shared_library.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "zk/host.h"
#include "zk/plugin.h"
#include "zk/transport.h"

namespace zk::test {

constexpr auto kWaitTimeout = std::chrono::seconds(20);

// The library of a transport plugin, loaded once per process and never unloaded, so it
// outlives every object it created (DESIGN §5). Fails the test (and returns null) if absent.
inline boost::dll::shared_library* TransportLibrary(const std::string& name) {
  static std::mutex mu;
  static auto* libraries = new std::map<std::string, boost::dll::shared_library>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = libraries->find(name);
  if (it == libraries->end()) {
    const std::string path = std::string(ZK_PLUGIN_DIR) + "/libzk_transport_" + name + ".so";
    boost::dll::shared_library library;
    boost::dll::fs::error_code ec;
    library.load(path, ec);
    if (ec) {
      ADD_FAILURE() << "cannot load " << path << ": " << ec.message();
      return nullptr;
    }
    it = libraries->emplace(name, std::move(library)).first;
  }
  return &it->second;
}

inline TransportFactory* LoadTransportFactory(const std::string& name) {
  boost::dll::shared_library* library = TransportLibrary(name);
  if (library == nullptr) return nullptr;
  auto& describe = library->get_alias<const zk_plugin_descriptor*()>("zk_plugin_descriptor");
  const zk_plugin_descriptor* d = describe();
  EXPECT_EQ(std::string(d->kind), "transport");
  EXPECT_EQ(std::string(d->name), name);
  EXPECT_EQ(d->abi_major, static_cast<uint32_t>(ZK_PLUGIN_ABI_MAJOR));
  auto& factory = library->get_alias<PluginFactory*()>("zk_plugin_factory");
  // The descriptor said "transport": static_cast is how the loader reaches the subclass.
  return static_cast<TransportFactory*>(factory());
}

// A Host whose Post runs functions in order on a thread it owns, with a fake clock that only
// AdvanceMs moves. Due timers run before queued functions.
class TestHost : public Host {
 public:
  TestHost() : thread_([this] { Loop(); }) {}
  ~TestHost() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  int64_t NowMs() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  int64_t WallMs() override { return 1'700'000'000'000 + NowMs(); }
  uint64_t Random() override {
    std::lock_guard<std::mutex> lock(mu_);
    return rng_();
  }
  void Post(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(fn));
    }
    cv_.notify_all();
  }
  TimerId StartTimer(int64_t delay_ms, std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    const TimerId id = ++next_timer_;
    timers_.emplace(std::make_pair(now_ + std::max<int64_t>(delay_ms, 0), id), std::move(fn));
    cv_.notify_all();
    return id;
  }
  void CancelTimer(TimerId id) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }
  void Log(LogLevel level, std::string_view message) override {
    if (std::getenv("ZK_TEST_VERBOSE") != nullptr) {
      std::fprintf(stderr, "[host log %d] %.*s\n", static_cast<int>(level),
                   static_cast<int>(message.size()), message.data());
    }
  }

  void AdvanceMs(int64_t ms) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      now_ += ms;
    }
    cv_.notify_all();
  }
  // Waits until nothing is queued, no timer is due and nothing runs. False on timeout.
  bool WaitIdle() {
    std::unique_lock<std::mutex> lock(mu_);
    return idle_cv_.wait_for(lock, kWaitTimeout,
                             [&] { return queue_.empty() && !DueLocked() && !running_; });
  }
  std::thread::id loop_thread_id() const { return thread_.get_id(); }

 private:
  bool DueLocked() const { return !timers_.empty() && timers_.begin()->first.first <= now_; }

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return quit_ || !queue_.empty() || DueLocked(); });
      if (quit_) return;
      std::function<void()> fn;
      if (DueLocked()) {
        fn = std::move(timers_.begin()->second);
        timers_.erase(timers_.begin());
      } else {
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      running_ = true;
      lock.unlock();
      fn();
      fn = nullptr;
      lock.lock();
      running_ = false;
      idle_cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<std::function<void()>> queue_;
  std::map<std::pair<int64_t, TimerId>, std::function<void()>> timers_;
  TimerId next_timer_ = 0;
  int64_t now_ = 1000;
  std::mt19937_64 rng_{42};
  bool quit_ = false;
  bool running_ = false;
  std::thread thread_;  // last: starts after every member above exists
};

// Records every callback per connection and checks the contract: OnOpen first and once,
// OnData only while open, OnClosed exactly once, never two callbacks of one connection at
// the same time. Hooks run inside the callback (on the transport's thread).
class RecordingHandler : public ConnectionHandler {
 public:
  struct Conn {
    bool opened = false;
    std::string peer;
    std::string data;
    int closed = 0;
    std::string error;
    bool in_callback = false;
  };

  std::function<void(ConnId, const std::string&)> on_open;
  std::function<void(ConnId, const uint8_t*, size_t)> on_data;
  std::function<void(ConnId, const std::string&)> on_closed;

  void OnOpen(ConnId id, const std::string& peer) override {
    Enter(id, [&](Conn& c) {
      if (c.opened || c.closed != 0) Violation(id, "OnOpen after OnOpen/OnClosed");
      c.opened = true;
      c.peer = peer;
      open_order_.push_back(id);
    });
    if (on_open) on_open(id, peer);
    Leave(id);
  }
  void OnData(ConnId id, const uint8_t* data, size_t len) override {
    Enter(id, [&](Conn& c) {
      if (!c.opened || c.closed != 0) Violation(id, "OnData outside OnOpen..OnClosed");
      if (len == 0) Violation(id, "OnData with no bytes");
      c.data.append(reinterpret_cast<const char*>(data), len);
    });
    if (on_data) on_data(id, data, len);
    Leave(id);
  }
  void OnClosed(ConnId id, const std::string& error) override {
    Enter(id, [&](Conn& c) {
      if (c.closed != 0) Violation(id, "OnClosed twice");
      c.closed++;
      c.error = error;
    });
    if (on_closed) on_closed(id, error);
    Leave(id);
  }

  // Waits (with a deadline) until `pred` holds; `pred` runs under the handler's lock.
  bool WaitUntil(const std::function<bool()>& pred) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWaitTimeout, pred);
  }
  // Accessors; they lock. Inside WaitUntil predicates use the *Locked forms.
  Conn Get(ConnId id) {
    std::lock_guard<std::mutex> lock(mu_);
    return conns_[id];
  }
  const Conn& GetLocked(ConnId id) { return conns_[id]; }
  bool OpenedLocked(ConnId id) { return conns_[id].opened; }
  bool ClosedLocked(ConnId id) { return conns_[id].closed > 0; }
  size_t DataSizeLocked(ConnId id) { return conns_[id].data.size(); }
  std::vector<ConnId> OpenOrder() {
    std::lock_guard<std::mutex> lock(mu_);
    return open_order_;
  }
  size_t OpenCountLocked() const { return open_order_.size(); }
  uint64_t callbacks() {
    std::lock_guard<std::mutex> lock(mu_);
    return callbacks_;
  }
  std::string violations() {
    std::lock_guard<std::mutex> lock(mu_);
    return violations_;
  }

 private:
  template <typename Fn>
  void Enter(ConnId id, Fn fn) {
    std::lock_guard<std::mutex> lock(mu_);
    callbacks_++;
    Conn& c = conns_[id];
    if (c.in_callback) Violation(id, "two callbacks at once");
    c.in_callback = true;
    fn(c);
  }
  void Leave(ConnId id) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      conns_[id].in_callback = false;
    }
    cv_.notify_all();
  }
  void Violation(ConnId id, const std::string& what) {
    violations_ += "conn " + std::to_string(id) + ": " + what + "\n";
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<ConnId, Conn> conns_;
  std::vector<ConnId> open_order_;
  uint64_t callbacks_ = 0;
  std::string violations_;
};

inline PluginConfig Config(std::map<std::string, std::string> values) {
  return PluginConfig(std::move(values));
}

inline std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

}  // namespace zk::test
