// `zkops server <subcommand> [options] [CONFIG]`: option parsing and help. The work is in
// server/control.h.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "commands/command.h"
#include "commands/options.h"
#include "server/control.h"
#include "server/process.h"

namespace zkops {
namespace {

using server::ServerControl;
using server::ServerOptions;

constexpr const char* kHelp = R"HELP(Usage: zkops server <subcommand> [options] [CONFIG]

Controls one zknode on this machine, like zkServer.sh, but start waits until the server
serves and stop waits until it is gone.

Subcommands:
  start             launch zknode CONFIG as a daemon (own session, stdin /dev/null, stdout and
                    stderr appended to the log file), write the pidfile, then wait until srvr
                    on the client port shows a Mode. In an ensemble, a server that answers
                    "not currently serving requests" for --wait-serving seconds is reported
                    "STARTED (not serving yet: waiting for a quorum)": its peers may not be up.
  start-foreground  write the pidfile and exec zknode CONFIG (logs to the terminal; for
                    systemd Type=simple units and containers)
  stop              SIGTERM the pidfile's process, wait for it to exit and for the client
                    port to be released; SIGKILL (its whole process group) after --timeout
  restart           check CONFIG, stop (if running), then start
  status            ask srvr on clientPortAddress:clientPort and print "Mode: <mode>"
  transfer          ask the server (it must lead) to hand leadership to --to ID, or to the
                    most up-to-date server; waits until that one leads. Over the control
                    socket <dataDir>/zknode.sock, so only on the server's own machine

CONFIG is a zoo.cfg; default <directory of zkops>/../conf/zoo.cfg.

Options:
  --zknode PATH        zknode binary (default: $ZKNODE, else zknode next to zkops)
  --timeout SECS       start: wait this long for the server to serve (default 30)
                       stop: wait this long after SIGTERM before SIGKILL (default 10)
                       status: srvr connect+read timeout (default 5)
  --wait-serving SECS  start, ensembles only: accept "not serving" after this long (default 5;
                       a standalone server must serve within --timeout)
  --log-file PATH      daemon log (default <dataDir>/zknode.log; one per instance, so
                       several servers on one machine never share it)
  --pidfile PATH       pidfile (default $ZOOPIDFILE, else <dataDir>/zookeeper_server.pid)
  --to ID|any          transfer: the server.ID to lead next (default any)
  -h, --help           this text

Exit codes:
  0  success: STARTED, STOPPED (also after removing a stale pidfile), or "Mode: <mode>"
  1  start: already running; stop: no pidfile (nothing to stop); status: not running
     ("Error contacting service. It is probably not running.")
  2  bad command line, or a config zkops cannot read
  3  start: FAILED TO START (zknode exited; the log tail is shown), or the client port is
     already taken by another process
  4  start: SERVER DID NOT START (not serving within --timeout; the process is left running)
  5  start: cannot run zknode, create dataDir, open the log or write the pidfile
  6  stop: cannot signal the process, or it survived SIGKILL
  7  status: running but not serving requests (no quorum?), or alive but not listening yet
  8  status: srvr is not in 4lw.commands.whitelist (Apache ZooKeeper), so Mode is unknown
  9  status: the port accepts connections but srvr gets no ZooKeeper answer
  10 transfer: the server is not the leader (it says which is), is standalone, or leadership
     did not move
  restart exits with stop's code if the stop fails (2, 6), else with start's.
)HELP";

bool ParseSeconds(const std::string& text, double* out) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0) || v > 86400) return false;
  *out = v;
  return true;
}

int Usage(const std::string& why) {
  std::fprintf(stderr, "zkops server: %s\nTry `zkops server --help`.\n", why.c_str());
  return kExitUsage;
}

}  // namespace

int RunServerCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    return Usage("missing subcommand (start|start-foreground|stop|restart|status|transfer)");
  }
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h" || a == "help") {
      std::fputs(kHelp, stdout);
      return 0;
    }
  }
  const std::string& sub = args[0];
  ServerOptions options;
  std::string transfer_to = "any";
  std::vector<std::string> positional;
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const Word& w : SplitWords(
           rest, {"--zknode", "--log-file", "--pidfile", "--to", "--timeout", "--wait-serving"})) {
    // Only "--" words are options here: anything else (even "-x") is the CONFIG path.
    if (w.name.rfind("--", 0) != 0) {
      positional.push_back(w.text);
      continue;
    }
    const std::string& arg = w.name;
    const std::string& value = w.value;
    if (arg == "--zknode" || arg == "--log-file" || arg == "--pidfile") {
      if (!w.has_value || value.empty()) return Usage(arg + " needs a path");
      (arg == "--zknode" ? options.zknode : arg == "--log-file" ? options.log_file
                                                                : options.pid_file) = value;
    } else if (arg == "--to") {
      if (!w.has_value || value.empty()) return Usage("--to needs a server id or 'any'");
      if (value != "any" && value.find_first_not_of("0123456789") != std::string::npos) {
        return Usage("--to needs a server id or 'any', not '" + value + "'");
      }
      transfer_to = value;
    } else if (arg == "--timeout" || arg == "--wait-serving") {
      double seconds = 0;
      if (!w.has_value || !ParseSeconds(value, &seconds)) return Usage(arg + " needs seconds");
      if (arg == "--timeout") {
        options.timeout_s = seconds;
        options.probe_timeout_s = seconds;
      } else {
        options.wait_serving_s = seconds;
      }
    } else {
      return Usage("unknown option " + arg);
    }
  }
  if (positional.size() > 1) return Usage("more than one CONFIG given");
  if (positional.empty()) {
    std::string dir = server::SelfExeDir();
    options.config = (dir.empty() ? std::string(".") : dir) + "/../conf/zoo.cfg";
  } else {
    options.config = positional[0];
  }

  ServerControl control(options, std::cout, std::cerr);
  if (sub == "start") return control.Start();
  if (sub == "start-foreground") return control.StartForeground();
  if (sub == "stop") return control.Stop();
  if (sub == "restart") return control.Restart();
  if (sub == "status") return control.Status();
  if (sub == "transfer") return control.Transfer(transfer_to);
  return Usage("unknown subcommand '" + sub + "'");
}

}  // namespace zkops
