// Processes zkops launches and watches: a daemon launch that outlives zkops, liveness that
// survives pid reuse, and signals. Linux-only (/proc), like the rest of zkops.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "zk/status.h"

namespace zkops::server {

// Starts argv (argv[0] is a path, not searched in PATH) as a daemon: a new session (setsid,
// so a hangup or Ctrl-C in zkops's terminal never reaches it), stdin from /dev/null, stdout
// and stderr both to `log_fd` (which the caller opened with O_APPEND), and no other
// descriptor inherited (a pipe held by whoever ran zkops must not stay open). The daemon is
// our child until zkops exits, so TryReap can see an early exit; then init adopts it.
// The working directory is kept, so relative paths in zoo.cfg mean what they meant to the
// operator (zkServer.sh behaves the same). REQUIRES: argv non-empty.
zk::Status LaunchDetached(const std::vector<std::string>& argv, int log_fd, pid_t* pid);

// How a process ended (from waitpid).
struct ExitInfo {
  bool signaled = false;
  int code = 0;  // exit code, or the signal number when signaled
};

// Reaps `pid` if it is our child and has ended; std::nullopt while it runs (or if it is not
// our child). Never blocks.
std::optional<ExitInfo> TryReap(pid_t pid);

// "exited with code 2 (invalid invocation or configuration)" / "was killed by signal 9
// (Killed)". Codes are ZooKeeper's ExitCode.java values, which zknode keeps, plus zknode's
// own 5 (client port unavailable).
std::string DescribeExit(const ExitInfo& info);

// True if the process exists and is not a zombie (a zombie has released its sockets and
// will never run again, so for zkops it is gone).
bool IsAlive(pid_t pid);

enum class Identity { kMatches, kDiffers, kUnknown };
// Whether /proc/<pid>/cmdline names the file `path` among its arguments (relative arguments
// are resolved against the process's cwd, both sides through realpath). Guards against a
// pidfile whose pid was reused by an unrelated process. kUnknown if /proc is unreadable.
Identity CommandLineNames(pid_t pid, const std::string& path);

// kill(2) with an error that names the pid and errno.
zk::Status SendSignal(pid_t pid, int signal);

// The process group of `pid` from /proc/<pid>/stat, or -1.
pid_t ProcessGroupOf(pid_t pid);

// The directory holding the running executable (/proc/self/exe), "" if unknown.
std::string SelfExeDir();

}  // namespace zkops::server
