// `zkops cli [-server host:port[,...][/chroot]] [-timeout ms] [-r] [command args...]`: a
// zkCli.sh work-alike (cli/shell.h). Options are read as ZooKeeperMain.parseOptions reads
// them; the first word that is not an option starts a one-shot command.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/console.h"
#include "cli/shell.h"
#include "commands/command.h"

namespace zkops {
namespace {

constexpr const char* kHelp =
    R"HELP(Usage: zkops cli [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r]
                 [command [args...]]

A ZooKeeper shell with zkCli.sh's commands, output and error messages (ZooKeeper 3.8), for
zknode and Apache ZooKeeper alike. Without a command it reads commands from stdin: with a
terminal it shows the prompt "[zk: host:port(CONNECTED) N] " and offers line editing and
history; otherwise it reads plain lines without a prompt (like Debian's zkCli.sh), so a
session can be fed from a file. With a command it runs that one command and exits.

Options:
  -server LIST   connect string (default localhost:2181); on connection loss the session
                 moves to the next host in the list, keeping its id, ephemerals and watches
  -timeout MS    session timeout asked for (default 30000)
  -r             read-only mode allowed (the server may answer in r/o mode)
  -h, --help     this text

Commands: `help` (or any unknown word) lists them with their options, as zkCli does.

Exit codes (as zkCli's): 0 when the last command succeeded, 1 when it failed (an error
message on stderr), 127 when it was not a command; 2 for a bad zkops command line.
)HELP";

int Usage(const std::string& why) {
  std::fprintf(stderr, "zkops cli: %s\nTry `zkops cli --help`.\n", why.c_str());
  return kExitUsage;
}

}  // namespace

int RunCliCommand(const std::vector<std::string>& args) {
  cli::ShellOptions options;
  std::vector<std::string> command;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (a == "-server" || a == "-timeout" || a == "-client-configuration") {
      if (i + 1 >= args.size()) return Usage("no argument found for option " + a);
      const std::string& v = args[++i];
      if (a == "-server") {
        options.server = v;
      } else if (a == "-timeout") {
        int32_t ms = 0;
        if (!cli::ParseJavaInt(v, &ms) || ms <= 0) return Usage("-timeout needs milliseconds");
        options.timeout_ms = ms;
      } else {
        return Usage("-client-configuration is not supported");
      }
    } else if (a == "-r") {
      options.read_only = true;
    } else if (a == "-waitforconnection") {
      // Commands always wait for the connection here; accepted for zkCli compatibility.
    } else if (!a.empty() && a[0] == '-') {
      // ZooKeeperMain ignores unknown options.
    } else {
      command.assign(args.begin() + static_cast<long>(i), args.end());
      break;
    }
  }
  cli::Console console(stdout, stderr);
  cli::Shell shell(options, &console);
  if (!shell.Start()) return kExitUsage;
  if (!command.empty()) return shell.RunOnce(command);
  return shell.RunInteractive(isatty(STDIN_FILENO) == 1);
}

}  // namespace zkops
