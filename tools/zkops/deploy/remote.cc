#include "deploy/remote.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <sstream>

namespace zkops::deploy {
namespace {

class LocalExecutor : public Executor {
 public:
  ExecResult Run(const std::vector<std::string>& argv, double timeout_s) override {
    return RunProcess(argv, timeout_s);
  }
  std::string Describe() const override { return "this machine"; }
};

class SshExecutor : public Executor {
 public:
  explicit SshExecutor(std::string target) : target_(std::move(target)) {}
  ExecResult Run(const std::vector<std::string>& argv, double timeout_s) override {
    return RunProcess(SshArgv(target_, ShellJoin(argv)), timeout_s);
  }
  std::string Describe() const override { return "ssh " + target_; }

 private:
  std::string target_;
};

}  // namespace

ExecResult RunProcess(const std::vector<std::string>& argv, double timeout_s) {
  ExecResult result;
  result.exit_code = -1;
  if (argv.empty()) return result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    result.output = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    result.output = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return result;
  }
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    execvp(cargv[0], cargv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", cargv[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  char buf[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    ssize_t r = read(fds[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    result.output.append(buf, static_cast<size_t>(r));
  }
  close(fds[0]);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (result.timed_out) {
    result.exit_code = -1;
    result.output += "\n(timed out after " + std::to_string(static_cast<int>(timeout_s)) + " s)";
  } else if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
  } else {
    result.exit_code = 128 + WTERMSIG(wstatus);
  }
  return result;
}

std::string ShellQuote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-./=:,@+%") == std::string::npos) {
    return word;
  }
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string ShellJoin(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += ShellQuote(a);
  }
  return out;
}

std::vector<std::string> SshOptions() {
  std::vector<std::string> opts = {"-o", "BatchMode=yes", "-o", "ConnectTimeout=5"};
  if (const char* extra = std::getenv("ZKOPS_SSH_OPTS")) {
    std::istringstream words(extra);
    std::string w;
    while (words >> w) opts.push_back(w);
  }
  return opts;
}

std::vector<std::string> SshArgv(const std::string& target, const std::string& remote_command) {
  std::vector<std::string> argv = {"ssh"};
  for (std::string& o : SshOptions()) argv.push_back(std::move(o));
  argv.push_back(target);
  argv.push_back(remote_command);
  return argv;
}

std::unique_ptr<Executor> MakeLocalExecutor() { return std::make_unique<LocalExecutor>(); }

std::unique_ptr<Executor> MakeSshExecutor(const std::string& target) {
  return std::make_unique<SshExecutor>(target);
}

}  // namespace zkops::deploy
