#include "server/core_loop.h"

#include <boost/asio/post.hpp>
#include <chrono>

#include "common/log.h"

namespace zk::server {

CoreLoop::CoreLoop(uint64_t seed)
    : work_(std::make_unique<boost::asio::executor_work_guard<
                boost::asio::io_context::executor_type>>(io_.get_executor())),
      rng_(seed) {}

CoreLoop::~CoreLoop() { Stop(); }

void CoreLoop::Run() {
  loop_thread_ = std::this_thread::get_id();
  io_.run();
}

void CoreLoop::RunInThread() {
  thread_ = std::thread([this] { Run(); });
}

void CoreLoop::Stop() {
  work_.reset();
  io_.stop();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

int64_t CoreLoop::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t CoreLoop::WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t CoreLoop::Random() {
  std::lock_guard<std::mutex> lock(rng_mu_);
  return rng_();
}

void CoreLoop::Post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

TimerId CoreLoop::StartTimer(int64_t delay_ms, std::function<void()> fn) {
  TimerId id = next_timer_++;
  auto timer = std::make_unique<boost::asio::steady_timer>(io_);
  timer->expires_after(std::chrono::milliseconds(delay_ms));
  timer->async_wait([this, id, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    timers_.erase(it);
    fn();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void CoreLoop::CancelTimer(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

void CoreLoop::Log(LogLevel level, std::string_view message) {
  switch (level) {
    case LogLevel::kDebug: spdlog::debug("{}", message); break;
    case LogLevel::kInfo: spdlog::info("{}", message); break;
    case LogLevel::kWarn: spdlog::warn("{}", message); break;
    case LogLevel::kError: spdlog::error("{}", message); break;
  }
}

}  // namespace zk::server
