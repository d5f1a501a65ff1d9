#include "server/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace zkops::server {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

// Fields of /proc/<pid>/stat after the "(comm)" part, which may itself hold spaces.
std::optional<std::vector<std::string>> StatFields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!in || !std::getline(in, text)) return std::nullopt;
  size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;
  std::string f;
  while (rest >> f) fields.push_back(f);
  return fields;  // [0] = state, [1] = ppid, [2] = pgrp, ...
}

}  // namespace

zk::Status LaunchDetached(const std::vector<std::string>& argv, int log_fd, pid_t* pid) {
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) return zk::Status::IoError("open /dev/null: " + ErrnoText(errno));

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&actions, null_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // A fresh session, and default signal dispositions and an empty mask whatever zkops had.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // glibc's posix_spawn reports an exec failure (ENOENT, EACCES) as its return value.
  int rc = ::posix_spawn(pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(null_fd);
  if (rc != 0) return zk::Status::IoError("cannot run " + argv[0] + ": " + ErrnoText(rc));
  return zk::Status::OK();
}

std::optional<ExitInfo> TryReap(pid_t pid) {
  int status = 0;
  pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r != pid) return std::nullopt;
  ExitInfo info;
  if (WIFSIGNALED(status)) {
    info.signaled = true;
    info.code = WTERMSIG(status);
  } else {
    info.code = WEXITSTATUS(status);
  }
  return info;
}

std::string DescribeExit(const ExitInfo& info) {
  if (info.signaled) {
    return "was killed by signal " + std::to_string(info.code) + " (" + strsignal(info.code) +
           ")";
  }
  // server/ExitCode.java (operations.md §1.7), plus zknode's 5 (core/src/server/node.h).
  const char* meaning = nullptr;
  switch (info.code) {
    case 0: meaning = "finished"; break;
    case 1: meaning = "unexpected error"; break;
    case 2: meaning = "invalid invocation or configuration"; break;
    case 3: meaning = "unable to access the data directory"; break;
    case 4: meaning = "error starting the admin server"; break;
    case 5: meaning = "client port unavailable"; break;
    case 10: meaning = "error taking a snapshot"; break;
    case 13: meaning = "quorum packet error"; break;
    case 14: meaning = "unable to bind the quorum port"; break;
    default: break;
  }
  std::string text = "exited with code " + std::to_string(info.code);
  if (meaning != nullptr) text += std::string(" (") + meaning + ")";
  return text;
}

bool IsAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  auto fields = StatFields(pid);
  // No stat: the process just vanished, or there is no /proc (then trust kill(0)).
  if (!fields) return ::access("/proc/self/stat", R_OK) != 0;
  return fields->empty() || ((*fields)[0] != "Z" && (*fields)[0] != "X");
}

Identity CommandLineNames(pid_t pid, const std::string& path) {
  auto want = RealPath(path);
  if (!want) return Identity::kUnknown;
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream in(proc + "/cmdline", std::ios::binary);
  if (!in) return Identity::kUnknown;
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (cmdline.empty()) return Identity::kUnknown;  // kernel thread or exiting
  std::istringstream args(cmdline);
  std::string arg;
  while (std::getline(args, arg, '\0')) {
    if (arg.empty()) continue;
    std::string candidate = arg[0] == '/' ? arg : proc + "/cwd/" + arg;
    auto real = RealPath(candidate);
    if (real && *real == *want) return Identity::kMatches;
  }
  return Identity::kDiffers;
}

zk::Status SendSignal(pid_t pid, int signal) {
  if (::kill(pid, signal) == 0) return zk::Status::OK();
  int err = errno;
  const char* name = sigabbrev_np(signal);
  std::string what = "cannot send " + (name ? "SIG" + std::string(name) : "signal") +
                     " to process " + std::to_string(pid) + ": " + ErrnoText(err);
  if (err == ESRCH) return zk::Status::NotFound(what);
  return zk::Status::IoError(what);
}

pid_t ProcessGroupOf(pid_t pid) {
  auto fields = StatFields(pid);
  if (!fields || fields->size() < 3) return -1;
  return static_cast<pid_t>(std::strtol((*fields)[2].c_str(), nullptr, 10));
}

std::string SelfExeDir() {
  auto exe = RealPath("/proc/self/exe");
  if (!exe) return "";
  size_t slash = exe->rfind('/');
  return slash == std::string::npos ? "" : exe->substr(0, slash);
}

}  // namespace zkops::server
