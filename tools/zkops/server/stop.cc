// `zkops server stop`: SIGTERM, wait for the exit and the client port, SIGKILL after the
// timeout (zkServer.sh sends SIGTERM, sleeps 1 s and always exits 0; operations.md §1.1).
#include <signal.h>

#include <algorithm>
#include <thread>

#include "net/four_letter.h"
#include "server/control.h"
#include "server/files.h"
#include "server/process.h"

namespace zkops::server {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kPollInterval(50);
// After SIGKILL the kernel needs only to tear the process down.
constexpr milliseconds kKillGrace(5000);
// A dead process has closed its sockets; a port still open after that belongs to someone else,
// so this wait is short.
constexpr milliseconds kPortGrace(2000);

template <typename Pred>
bool PollUntil(Pred done, Clock::time_point deadline) {
  while (true) {
    if (done()) return true;
    auto now = Clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, deadline - now));
  }
}


}  // namespace

int ServerControl::Stop() {
  if (int rc = Load(/*lenient=*/true); rc != 0) return rc;
  out_ << "Stopping zookeeper ... " << std::flush;
  pid_t pid = 0;
  std::string why;
  switch (CheckPidFile(&pid, &why, /*remove_stale=*/true)) {
    case Running::kNo:
      out_ << "no zookeeper to stop (could not find file " << pid_file_ << ")\n";
      return kExitNotRunning;
    case Running::kStale:
      out_ << "no zookeeper running (removed stale pidfile " << pid_file_ << ": " << why
           << ")\n";
      return kExitOk;
    case Running::kYes:
      break;
  }
  const double timeout_s = options_.timeout_s.value_or(kDefaultStopTimeoutS);
  if (int rc = Terminate(pid, timeout_s); rc != kExitOk) return rc;

  if (client_port_ != 0) {
    bool released = PollUntil(
        [&] {
          return net::TryConnect(probe_host_, client_port_, milliseconds(500)) !=
                 net::ProbeError::kNone;
        },
        Clock::now() + kPortGrace);
    if (!released) {
      err_ << "warning: " << Where() << " still accepts connections after process " << pid
           << " exited: another process listens there\n";
    }
  }
  if (zk::Status s = RemovePidFileIf(pid_file_, pid); !s.ok()) {
    err_ << "warning: " << s.message() << "\n";
  }
  out_ << "STOPPED\n";
  return kExitOk;
}

int ServerControl::Terminate(pid_t pid, double timeout_s) {
  auto gone = [pid] {
    TryReap(pid);  // in case it is our own child (restart after a failed start)
    return !IsAlive(pid);
  };
  zk::Status s = SendSignal(pid, SIGTERM);
  if (!s.ok() && s.code() != zk::Status::Code::kNotFound) {
    out_ << "FAILED TO STOP\n";
    err_ << "zkops: " << s.message() << "\n";
    return kExitStopFailed;
  }
  auto deadline = Clock::now() + milliseconds(static_cast<int64_t>(timeout_s * 1000));
  if (PollUntil(gone, deadline)) return kExitOk;

  err_ << "process " << pid << " did not exit within " << FormatSeconds(timeout_s)
       << " of SIGTERM; sending SIGKILL\n"
       << std::flush;
  // The daemon leads its own session and group (LaunchDetached): kill helpers it forked too.
  pid_t target = ProcessGroupOf(pid) == pid ? -pid : pid;
  s = SendSignal(target, SIGKILL);
  if (!s.ok() && target != pid) s = SendSignal(pid, SIGKILL);
  if (!s.ok() && s.code() != zk::Status::Code::kNotFound) {
    out_ << "FAILED TO STOP\n";
    err_ << "zkops: " << s.message() << "\n";
    return kExitStopFailed;
  }
  if (PollUntil(gone, Clock::now() + kKillGrace)) return kExitOk;
  out_ << "FAILED TO STOP\n";
  err_ << "zkops: process " << pid << " is still alive after SIGKILL\n";
  return kExitStopFailed;
}

}  // namespace zkops::server
