// The zkCli shell (ZooKeeperMain): the session to a connect string, the command loop with
// history/redo/printwatches/connect/quit, the prompt, the "Not connected" check and the exit
// code (the last command's: 0, 1 for a failed command, 127 for an unknown one).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console.h"
#include "client/zk_client.h"

namespace zkops::cli {

struct ShellOptions {
  std::string server = "localhost:2181";  // -server
  int timeout_ms = 30000;                 // -timeout
  bool read_only = false;                 // -r
};

class Shell {
 public:
  Shell(ShellOptions options, Console* console);  // console: not owned, outlives the shell
  ~Shell();

  // Prints "Connecting to <server>" and starts connecting (the first command waits for it).
  // Returns false if the connect string is malformed (message printed).
  bool Start();
  // Reads commands from stdin until EOF or quit. With a terminal: a prompt and line editing
  // (readline) when available; otherwise plain lines, no prompt (Debian zkCli.sh without
  // JLine). Returns the exit code.
  int RunInteractive(bool terminal);
  // Runs one command given as separate words (zkCli.sh -server x cmd args...).
  int RunOnce(const std::vector<std::string>& words);

  // Exposed for tests: runs one shell line as the interactive loop does.
  void ExecuteLine(const std::string& line);
  std::string Prompt() const;
  int exit_code() const { return exit_code_; }
  bool quit_requested() const { return quit_; }

 private:
  void ProcessCmd(const std::vector<std::string>& words);
  CommandResult ProcessZkCmd(const std::vector<std::string>& words);
  void ConnectToZk(const std::string& server);
  void PrintUsage();

  ShellOptions options_;
  Console* con_;
  std::string host_;
  std::unique_ptr<client::ZkClient> zk_;
  std::map<int, std::string> history_;
  int command_count_ = 0;
  std::atomic<bool> print_watches_{true};
  std::atomic<bool> quiet_events_{false};  // set while quitting: no Closed event
  int exit_code_ = 0;
  bool quit_ = false;
};

}  // namespace zkops::cli
