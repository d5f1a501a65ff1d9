// `zkops server start` and `start-foreground`.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "net/four_letter.h"
#include "server/control.h"
#include "server/files.h"
#include "server/process.h"

namespace zkops::server {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kPollInterval(100);
constexpr milliseconds kMaxProbe(1000);


std::string Now() {
  char buf[64];
  std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", std::localtime(&t));
  return buf;
}

}  // namespace

int ServerControl::Start() {
  if (int rc = Load(/*lenient=*/false); rc != 0) return rc;
  out_ << "Starting zookeeper ... " << std::flush;
  pid_t pid = 0;
  std::string why;
  switch (CheckPidFile(&pid, &why, /*remove_stale=*/true)) {
    case Running::kYes:
      // zkServer.sh prints "$command already running ..." with $command unset.
      out_ << "zknode already running as process " << pid << ".\n";
      return kExitNotRunning;
    case Running::kStale:
      err_ << "(removed stale pidfile " << pid_file_ << ": " << why << ") " << std::flush;
      break;
    case Running::kNo:
      break;
  }
  if (client_port_ == 0) {
    out_ << "FAILED TO START\n";
    err_ << "zkops: no clientPort in " << config_abs_ << "\n";
    return kExitUsage;
  }

  // zkServer.sh creates dataDir for the pidfile; so do we.
  if (zk::Status s = MakeDirs(data_dir_); !s.ok()) {
    out_ << "FAILED TO START\n";
    err_ << "zkops: " << s.message() << "\n";
    return kExitLaunchError;
  }
  const std::string zknode = ResolveZknode();
  if (::access(zknode.c_str(), X_OK) != 0) {
    out_ << "FAILED TO START\n";
    err_ << "zkops: cannot execute zknode at " << zknode << ": " << std::strerror(errno)
         << " (use --zknode PATH or ZKNODE)\n";
    return kExitLaunchError;
  }
  // Someone already answers on our client port (another instance, a leftover process):
  // starting would fail to bind, and a probe would mistake them for us.
  if (net::TryConnect(probe_host_, client_port_, kMaxProbe) == net::ProbeError::kNone) {
    out_ << "FAILED TO START\n";
    err_ << "zkops: client port " << Where()
         << " is already in use by another process (check clientPort and `ss -ltnp`)\n";
    return kExitFailedToStart;
  }

  int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    out_ << "FAILED TO START\n";
    err_ << "zkops: cannot open log " << log_file_ << ": " << std::strerror(errno) << "\n";
    return kExitLaunchError;
  }
  const std::string banner =
      "---- zkops " ZK_VERSION ": " + Now() + ": starting " + zknode + " " + config_abs_ + "\n";
  (void)!::write(log_fd, banner.data(), banner.size());
  struct stat st {};
  uint64_t log_offset = ::fstat(log_fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;

  zk::Status launched = LaunchDetached({zknode, config_abs_}, log_fd, &pid);
  ::close(log_fd);
  if (!launched.ok()) {
    out_ << "FAILED TO START\n";
    err_ << "zkops: " << launched.message() << "\n";
    return kExitLaunchError;
  }
  if (zk::Status s = WritePidFile(pid_file_, pid); !s.ok()) {
    ::kill(pid, SIGKILL);
    while (!TryReap(pid) && IsAlive(pid)) std::this_thread::sleep_for(milliseconds(10));
    out_ << "FAILED TO WRITE PID\n";
    err_ << "zkops: " << s.message() << "\n";
    return kExitLaunchError;
  }
  return WaitUntilServing(pid, log_offset);
}

int ServerControl::WaitUntilServing(pid_t pid, uint64_t log_offset) {
  const double timeout_s = options_.timeout_s.value_or(kDefaultStartTimeoutS);
  const auto start = Clock::now();
  const auto deadline = start + milliseconds(static_cast<int64_t>(timeout_s * 1000));
  const auto wait_serving = milliseconds(static_cast<int64_t>(options_.wait_serving_s * 1000));
  std::optional<Clock::time_point> not_serving_since;
  while (true) {
    if (auto exit = TryReap(pid)) {
      RemovePidFileIf(pid_file_, pid);
      out_ << "FAILED TO START\n" << std::flush;
      err_ << "zknode (process " << pid << ") " << DescribeExit(*exit) << ". Last lines of "
           << log_file_ << ":\n";
      PrintLogTail(log_offset);
      return kExitFailedToStart;
    }
    auto now = Clock::now();
    auto probe_timeout = std::clamp(std::chrono::duration_cast<milliseconds>(deadline - now),
                                    milliseconds(1), kMaxProbe);
    net::SrvrStatus st = net::ProbeSrvr(probe_host_, client_port_, probe_timeout);
    now = Clock::now();
    switch (st.state) {
      case net::ServerState::kServing:
        out_ << "STARTED\n";
        return kExitOk;
      case net::ServerState::kWhitelistDenied:
        out_ << "STARTED (srvr is not in 4lw.commands.whitelist: serving not verified)\n";
        return kExitOk;
      case net::ServerState::kNotServing:
        // In an ensemble one server cannot serve before a quorum forms (its peers may not be
        // started yet): that is a successful start. A standalone server must serve.
        if (!not_serving_since) not_serving_since = now;
        if (distributed_ && now - *not_serving_since >= wait_serving) {
          out_ << "STARTED (not serving yet: waiting for a quorum)\n";
          return kExitOk;
        }
        break;
      default:
        break;
    }
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, deadline - now));
  }
  if (distributed_ && not_serving_since) {
    out_ << "STARTED (not serving yet: waiting for a quorum)\n";
    return kExitOk;
  }
  out_ << "SERVER DID NOT START\n" << std::flush;
  err_ << "zknode (process " << pid << ") did not serve on " << Where() << " within "
       << FormatSeconds(timeout_s) << "; it is left running (`zkops server stop " << config_abs_
       << "` stops it). Last lines of " << log_file_ << ":\n";
  PrintLogTail(log_offset);
  return kExitDidNotStart;
}

void ServerControl::PrintLogTail(uint64_t from_offset) {
  std::vector<std::string> lines = TailLines(log_file_, from_offset, options_.tail_lines);
  if (lines.empty()) err_ << "  (the log is empty)\n";
  for (const std::string& line : lines) err_ << "  " << line << "\n";
  err_ << std::flush;
}

int ServerControl::StartForeground() {
  if (int rc = Load(/*lenient=*/false); rc != 0) return rc;
  pid_t pid = 0;
  std::string why;
  if (CheckPidFile(&pid, &why, /*remove_stale=*/true) == Running::kYes) {
    out_ << "zknode already running as process " << pid << ".\n";
    return kExitNotRunning;
  }
  const std::string zknode = ResolveZknode();
  if (zk::Status s = MakeDirs(data_dir_); !s.ok()) {
    err_ << "zkops: " << s.message() << "\n";
    return kExitLaunchError;
  }
  // exec keeps our pid: the pidfile lets `zkops server stop|status` find a foreground server
  // too (systemd Type=simple, containers). A stale one is recognised by the checks above.
  if (zk::Status s = WritePidFile(pid_file_, ::getpid()); !s.ok()) {
    err_ << "warning: " << s.message() << "\n";
  }
  out_ << std::flush;
  err_ << std::flush;
  std::fflush(nullptr);
  const char* argv[] = {zknode.c_str(), config_abs_.c_str(), nullptr};
  ::execv(zknode.c_str(), const_cast<char* const*>(argv));
  int err = errno;
  RemovePidFileIf(pid_file_, ::getpid());
  err_ << "zkops: cannot execute zknode at " << zknode << ": " << std::strerror(err)
       << " (use --zknode PATH or ZKNODE)\n";
  return kExitLaunchError;
}

}  // namespace zkops::server
