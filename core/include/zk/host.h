// Host: what zknode lends every plugin. Time, randomness, timers and logging all come from
// here, so a whole ensemble can run on a fake clock in one process (canonical/raft's raft_io
// habit). A plugin must not read the system clock or start its own timers.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace zk {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

using TimerId = uint64_t;

class Host {
 public:
  virtual ~Host() = default;

  // Monotonic milliseconds. Any thread.
  virtual int64_t NowMs() = 0;
  // Wall-clock milliseconds since the epoch (ctime/mtime of znodes). Any thread.
  virtual int64_t WallMs() = 0;
  // Uniform 64-bit random number from the host's seeded generator. Any thread.
  virtual uint64_t Random() = 0;

  // Runs `fn` on the core loop, in the order posted. Any thread.
  virtual void Post(std::function<void()> fn) = 0;
  // Runs `fn` on the core loop after `delay_ms`. Returns an id for CancelTimer.
  // REQUIRES: called on the core loop.
  virtual TimerId StartTimer(int64_t delay_ms, std::function<void()> fn) = 0;
  // A cancelled timer never runs. Cancelling a timer that already ran is a no-op.
  // REQUIRES: called on the core loop.
  virtual void CancelTimer(TimerId id) = 0;

  // Any thread.
  virtual void Log(LogLevel level, std::string_view message) = 0;
};

}  // namespace zk
