// Running commands for `zkops deploy`: on this machine (a server without an ssh target) or on
// a server's host over `ssh -o BatchMode=yes` (never a password prompt: a deploy must not
// hang waiting for a person). The Executor interface lets tests replace both with fakes.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace zkops::deploy {

struct ExecResult {
  int exit_code = 0;   // the command's exit code; 255 when ssh itself failed; -1 not run
  std::string output;  // stdout and stderr, interleaved as written
  bool timed_out = false;
};

// Runs argv (argv[0] searched in PATH) with stdin from /dev/null and stdout+stderr captured,
// killing it after `timeout_s`. Blocks. Children must not keep the pipe: zkops server start
// launches zknode without inherited descriptors, so a started server never holds it open.
ExecResult RunProcess(const std::vector<std::string>& argv, double timeout_s);

// Quotes `word` for a POSIX shell: 'it'\''s'. Words of safe characters stay as they are.
std::string ShellQuote(const std::string& word);
std::string ShellJoin(const std::vector<std::string>& argv);

// The ssh options every connection uses: -o BatchMode=yes -o ConnectTimeout=5, then the
// words of $ZKOPS_SSH_OPTS (split on blanks; e.g. "-i /root/.ssh/deploy -F /etc/zkops/ssh_config"),
// so rsync's -e and ssh see the same options.
std::vector<std::string> SshOptions();

// Where commands run for one server. Not thread-safe; one per server.
class Executor {
 public:
  virtual ~Executor() = default;
  // Runs argv there (over ssh: as one quoted shell command line).
  virtual ExecResult Run(const std::vector<std::string>& argv, double timeout_s) = 0;
  // "this machine" or "ssh root@10.77.0.11".
  virtual std::string Describe() const = 0;
};

std::unique_ptr<Executor> MakeLocalExecutor();
// REQUIRES: target non-empty ("user@host" or "host").
std::unique_ptr<Executor> MakeSshExecutor(const std::string& target);

// The argv that runs `remote_command` on `target` over ssh (exposed for rsync's -e and tests).
std::vector<std::string> SshArgv(const std::string& target, const std::string& remote_command);

}  // namespace zkops::deploy
