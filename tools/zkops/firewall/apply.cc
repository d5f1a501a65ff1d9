// Loading the rules with the system's own tools (iptables-restore, iptables, nft), so what is
// applied is exactly the text `zkops firewall` prints.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "firewall/rules.h"

namespace zkops::firewall {
namespace {

// Runs argv[0] (searched in PATH, then /usr/sbin and /sbin, where Debian puts iptables and
// nft but a non-root PATH may not look) with `input` on stdin. quiet: stdout and stderr go to
// /dev/null (probes such as `iptables -C`). Returns the exit code, or -1 if it could not run.
int Run(const std::vector<std::string>& argv, const std::string& input, bool quiet,
        std::string* error) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return -1;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return -1;
  }
  if (pid == 0) {
    ::dup2(pipe_fds[0], 0);
    if (quiet) {
      int null_fd = ::open("/dev/null", O_WRONLY);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    for (const char* dir : {"/usr/sbin/", "/sbin/"}) {
      std::string path = std::string(dir) + argv[0];
      ::execv(path.c_str(), args.data());
    }
    _exit(127);
  }
  ::close(pipe_fds[0]);
  size_t off = 0;
  while (off < input.size()) {
    ssize_t n = ::write(pipe_fds[1], input.data() + off, input.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::close(pipe_fds[1]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) == 127) *error = argv[0] + ": command not found";
    return WEXITSTATUS(status);
  }
  *error = argv[0] + " was killed by a signal";
  return -1;
}

std::string Command(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

zk::Status MustRun(const std::vector<std::string>& argv, const std::string& input) {
  std::string error;
  int rc = Run(argv, input, false, &error);
  if (rc == 0) return zk::Status::OK();
  return zk::Status::IoError(
      "`" + Command(argv) + "` failed" +
      (error.empty() ? " with exit code " + std::to_string(rc) : ": " + error) +
      " (root is needed; is the iptables or nftables package installed?)");
}

bool Succeeds(const std::vector<std::string>& argv) {
  std::string error;
  return Run(argv, "", true, &error) == 0;
}

}  // namespace

zk::Status Apply(const RuleSet& rules, Format format) {
  if (format == Format::kNftables) return MustRun({"nft", "-f", "-"}, RenderNftables(rules));
  zk::Status s = MustRun({"iptables-restore", "--noflush"}, RenderIptables(rules));
  if (!s.ok()) return s;
  // iptables-restore cannot say "append unless present", so the single jump is added here.
  if (Succeeds({"iptables", "-C", "INPUT", "-j", rules.chain})) return zk::Status::OK();
  return MustRun({"iptables", "-I", "INPUT", "1", "-j", rules.chain}, "");
}

zk::Status Remove(const RuleSet& rules, Format format, bool* removed) {
  *removed = false;
  if (format == Format::kNftables) {
    if (!Succeeds({"nft", "list", "table", "inet", rules.table})) return zk::Status::OK();
    *removed = true;
    return MustRun({"nft", "delete", "table", "inet", rules.table}, "");
  }
  for (int i = 0; i < 1000 && Succeeds({"iptables", "-D", "INPUT", "-j", rules.chain}); ++i) {
    *removed = true;
  }
  if (!Succeeds({"iptables", "-n", "-L", rules.chain})) return zk::Status::OK();
  *removed = true;
  zk::Status s = MustRun({"iptables", "-F", rules.chain}, "");
  if (!s.ok()) return s;
  return MustRun({"iptables", "-X", rules.chain}, "");
}

}  // namespace zkops::firewall
