#include "cli/shell.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/args.h"
#include "cli/format.h"

#ifdef ZK_HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

namespace zkops::cli {

namespace {

// ZooKeeperMain's own commands (commandMap entries that are not CliCommands).
struct Builtin {
  const char* name;
  const char* options;
};
constexpr Builtin kBuiltins[] = {{"connect", "host:port"},
                                 {"history", ""},
                                 {"redo", "cmdno"},
                                 {"printwatches", "on|off"},
                                 {"quit", ""}};

bool IsBuiltin(const std::string& cmd) {
  for (const Builtin& b : kBuiltins) {
    if (cmd == b.name) return true;
  }
  return false;
}

// Integer.decode: decimal, 0x/0X/# hex, leading 0 octal, optional sign.
bool JavaDecode(const std::string& s, int32_t* out) {
  std::string t = s;
  bool neg = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    neg = t[0] == '-';
    t = t.substr(1);
  }
  int base = 10;
  if (t.rfind("0x", 0) == 0 || t.rfind("0X", 0) == 0) {
    base = 16;
    t = t.substr(2);
  } else if (t.rfind("#", 0) == 0) {
    base = 16;
    t = t.substr(1);
  } else if (t.size() > 1 && t[0] == '0') {
    base = 8;
    t = t.substr(1);
  }
  if (t.empty() || t[0] == '-' || t[0] == '+') return false;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, base);
  if (*end != '\0' || v > 0x7fffffffLL + (neg ? 1 : 0)) return false;
  *out = static_cast<int32_t>(neg ? -v : v);
  return true;
}

}  // namespace

Shell::Shell(ShellOptions options, Console* console)
    : options_(std::move(options)), con_(console) {}

Shell::~Shell() {
  quiet_events_ = true;
  if (zk_) zk_->Close();
}

bool Shell::Start() {
  con_->OutLine("Connecting to " + options_.server);
  client::ConnectString cs;
  zk::Status st = client::ParseConnectString(options_.server, &cs);
  if (!st.ok()) {
    con_->ErrLine(st.message());
    return false;
  }
  ConnectToZk(options_.server);
  return zk_ != nullptr;
}

void Shell::ConnectToZk(const std::string& server) {
  if (zk_) zk_->Close();  // the old session ends first (its Closed event prints first)
  host_ = server;
  client::ConnectString cs;
  zk::Status st = client::ParseConnectString(server, &cs);
  if (!st.ok()) {
    con_->ErrLine(st.message());
    zk_.reset();
    return;
  }
  // MyWatcher.process: every event, printed as two println("\n" + msg).
  auto on_event = [this](const client::WatchedEvent& e) {
    if (!print_watches_ || quiet_events_) return;
    con_->Out("\nWATCHER::\n\n" + FormatEvent(e.state, e.type, e.path) + "\n");
  };
  zk_ = std::make_unique<client::ZkClient>(std::move(cs), options_.timeout_ms, options_.read_only,
                                           on_event);
  zk_->Start();
}

std::string Shell::Prompt() const {
  const char* state = zk_ ? client::StateName(zk_->state()) : "CLOSED";
  return "[zk: " + host_ + "(" + state + ") " + std::to_string(command_count_) + "] ";
}

void Shell::PrintUsage() {
  std::vector<std::pair<std::string, std::string>> all;
  for (const Builtin& b : kBuiltins) all.emplace_back(b.name, b.options);
  for (const CliCommandDef& d : CliCommands()) all.emplace_back(d.name, d.options);
  std::sort(all.begin(), all.end());
  std::string out = "ZooKeeper -server host:port -client-configuration properties-file cmd args\n";
  for (const auto& [name, opts] : all) out += "\t" + name + " " + opts + "\n";
  con_->Err(out);
}

void Shell::ExecuteLine(const std::string& line) {
  if (line.empty()) return;
  std::vector<std::string> words = SplitCommandLine(line);
  // zkCli re-runs the previous command on a blank line (parseCommand fails silently and the
  // old arguments stay); that is a bug, not a feature: ignore such lines.
  if (words.empty()) return;
  history_[command_count_] = line;
  ProcessCmd(words);
  ++command_count_;
}

void Shell::ProcessCmd(const std::vector<std::string>& words) {
  CommandResult r = ProcessZkCmd(words);
  if (quit_) return;  // quit exits with the previous command's code
  if (r) {
    exit_code_ = r->exit_code;
    con_->ErrLine(r->message);
  } else {
    exit_code_ = 0;
  }
}

CommandResult Shell::ProcessZkCmd(const std::vector<std::string>& words) {
  if (words.empty()) {
    PrintUsage();
    return CliFailure{"No command entered", 1};
  }
  const std::string& cmd = words[0];
  const CliCommandDef* def = FindCliCommand(cmd);
  if (def == nullptr && !IsBuiltin(cmd)) {
    PrintUsage();
    // CommandNotFoundException("Command not found " + cmd) prefixes "Command not found: ".
    return CliFailure{"Command not found: Command not found " + cmd, 127};
  }
  if (cmd == "quit") {
    quiet_events_ = true;
    if (zk_) zk_->Close();
    quit_ = true;
    return std::nullopt;
  }
  if (cmd == "redo" && words.size() >= 2) {
    int32_t i = 0;
    if (!JavaDecode(words[1], &i)) return CliFailure{"redo: not a number: " + words[1], 1};
    if (command_count_ <= i || i < 0) return CliFailure{"Command index out of range", 1};
    std::vector<std::string> again = SplitCommandLine(history_[i]);
    if (!again.empty() && again[0] == "redo") return CliFailure{"No redoing redos", 1};
    history_[command_count_] = history_[i];
    ProcessCmd(again);
    if (quit_) return std::nullopt;
  } else if (cmd == "history") {
    for (int i = command_count_ - 10; i <= command_count_; ++i) {
      if (i < 0) continue;
      auto it = history_.find(i);
      con_->OutLine(std::to_string(i) + " - " + (it == history_.end() ? "null" : it->second));
    }
  } else if (cmd == "printwatches") {
    if (words.size() == 1) {
      con_->OutLine(std::string("printwatches is ") + (print_watches_ ? "on" : "off"));
    } else {
      print_watches_ = words[1] == "on";
    }
  } else if (cmd == "connect") {
    ConnectToZk(words.size() >= 2 ? words[1] : host_);
  }
  // Every command below needs a live session (the built-ins above fall through here too).
  if (!zk_ || !client::IsAlive(zk_->state())) {
    con_->OutLine("Not connected");
    return std::nullopt;
  }
  if (def != nullptr) return def->run(*zk_, words, *con_);
  return std::nullopt;
}

int Shell::RunInteractive(bool terminal) {
  con_->OutLine("Welcome to ZooKeeper!");
#ifdef ZK_HAVE_READLINE
  if (terminal) {
    con_->OutLine("JLine support is enabled");
    while (!quit_) {
      char* raw = readline(Prompt().c_str());
      if (raw == nullptr) break;  // EOF (Ctrl-D)
      std::string line(raw);
      std::free(raw);
      if (!line.empty()) add_history(line.c_str());
      ExecuteLine(line);
    }
    return exit_code_;
  }
#endif
  con_->OutLine("JLine support is disabled");
  std::string line;
  for (;;) {
    if (terminal) con_->Out(Prompt());  // no line editing, but still a prompt
    if (quit_ || !std::getline(std::cin, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // BufferedReader.readLine
    ExecuteLine(line);
    if (quit_) break;
  }
  return exit_code_;
}

int Shell::RunOnce(const std::vector<std::string>& words) {
  ProcessCmd(words);
  // zkCli exits without closing the session (it lingers until it times out, ephemerals
  // included); closing it is kinder to the ensemble and prints nothing.
  quiet_events_ = true;
  if (zk_) zk_->Close();
  return exit_code_;
}

}  // namespace zkops::cli
