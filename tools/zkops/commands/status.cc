// `zkops status`: whole-ensemble health (operations.md §7 "status", lesson 1). Option parsing,
// help and the --watch loop; the probing, judging and printing are in status/.
#include <signal.h>
#include <unistd.h>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Timestamp.h>
#include <pthread.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include "commands/command.h"
#include "commands/options.h"
#include "inventory/command_line.h"
#include "status/assess.h"
#include "status/probe.h"
#include "status/render.h"
#include "status/target.h"

namespace zkops {
namespace {

using status::EnsembleStatus;
using status::Target;

constexpr const char* kHelp = R"HELP(Usage:
  zkops status (--servers H:P[:ADMIN],... | --env ENV -i INVENTORY)
               [--json] [--watch [SECS]] [--timeout MS]

Probes every server of an ensemble at once and prints one table plus a verdict. Works
against zknode and Apache ZooKeeper (3.5+) alike.

Per server: srvr over the client port (always whitelisted); when it serves, mntr and conf
too (only if 4lw.commands.whitelist allows them: the table shows what they told). With an
AdminServer port (H:P:ADMIN), GET /commands/srvr and /commands/mntr fill what the client port
did not say (the AdminServer ignores the 4lw whitelist). No AdminServer is asked unless its
port is given.

Columns:
  SERVER    the name (server.<id> once conf tells the id, else #<n>)
  STATE     down | no answer | not serving | 4lw disabled | unrecognised |
            leader | follower | observer | standalone | read-only
  ZXID      last zxid; LAG = transactions behind the leader (same epoch), else "epoch behind"
  CONNS, OUTST, LATENCY (min/avg/max ms), ZNODES, VERSION
  PLUGINS   zknode's transport/storage/election plugins (from mntr or conf; Apache: none)

Verdict: a quorum is more than half the voters (conf's membership if any server showed it,
else the servers listed); failures tolerated = serving voters - quorum.

Options:
  --servers LIST     comma-separated host[:clientport[:adminport]] ([v6addr]:port:admin);
                     client port defaults to 2181
  -i FILE [--env ENV] the servers of a zkops inventory, in environment ENV (default: the
                     inventory's defaultEnvironment)
  --json             one JSON object instead of the table: verdict, exit_code, summary,
                     quorum {voters, voters_source, needed, serving_voters, has_quorum,
                     tolerated_failures}, leader, leaders, notes, time, and servers[] with
                     name, address, state, zxid, zxid_epoch, zxid_counter, lag, lag_text,
                     connections, outstanding, latency {min, avg, max}, znode_count,
                     version, plugins, server_id, sources, notes and raw {srvr, mntr, conf}
  --watch [SECS]     re-probe and re-print every SECS (default 2) until interrupted
                     (Ctrl-C); with --json, one object per line
  --timeout MS       connect + reply bound per request (default 5000, like
                     FourLetterWordMain); servers are probed in parallel
  -h, --help         this text

Exit codes (with --watch: those of the last round):
  0  healthy: every voter serving, exactly one leader (or one standalone server)
  1  degraded: quorum holds and one leader, but a server is down, not serving, or unknown
     (4lw disabled), or a membership voter was not probed
  2  bad command line
  3  no quorum: fewer voters serving than a quorum needs (the ensemble does not serve)
  4  inconsistent: more than one leader (split brain), standalone servers listed together,
     or two servers claiming the same id
  5  unreachable: no server could be reached at all
)HELP";

int Usage(const std::string& why) {
  std::fprintf(stderr, "zkops status: %s\nTry `zkops status --help`.\n", why.c_str());
  return kExitUsage;
}

bool ParseNumber(const std::string& text, double min, double max, double* out) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !(v >= min) || v > max) return false;
  *out = v;
  return true;
}

struct Options {
  std::vector<Target> targets;
  std::string env;
  std::string inventory;
  bool json = false;
  bool watch = false;
  double watch_s = 2;
  status::ProbeOptions probe;
};

EnsembleStatus Round(const Options& options) {
  return status::Assess(status::ProbeAll(options.targets, options.probe));
}

std::string NowUtc() {
  return Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FORMAT);
}

void Print(const EnsembleStatus& st, const Options& options, bool clear) {
  if (options.json) {
    Poco::JSON::Object::Ptr obj = status::ToJson(st);
    obj->set("time", NowUtc());
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(obj, out, options.watch ? 0 : 2);
    std::printf("%s\n", out.str().c_str());
  } else {
    if (clear) std::printf("\033[H\033[2J");
    if (options.watch) {
      std::printf("zkops status  %s  every %g s (Ctrl-C to stop)\n\n", NowUtc().c_str(),
                  options.watch_s);
    }
    std::fputs(status::RenderTable(st).c_str(), stdout);
    if (options.watch) std::printf("\n");
  }
  std::fflush(stdout);
}

// Re-probes every watch_s until SIGINT/SIGTERM. The signals are blocked (in every probe
// thread too, which inherit the mask) and taken with sigtimedwait, so the wait between
// rounds is the interval itself and an interrupt ends it at once.
int Watch(const Options& options) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  const bool clear = !options.json && isatty(STDOUT_FILENO);
  int code = 0;
  while (true) {
    EnsembleStatus st = Round(options);
    code = status::ExitCodeFor(st.verdict);
    Print(st, options, clear);
    timespec wait{};
    wait.tv_sec = static_cast<time_t>(options.watch_s);
    wait.tv_nsec = static_cast<long>((options.watch_s - static_cast<double>(wait.tv_sec)) * 1e9);
    int sig = sigtimedwait(&stop_signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  return code;
}

}  // namespace

int RunStatusCommand(const std::vector<std::string>& args) {
  Options options;
  bool have_servers = false;
  // --watch's SECS is optional: the next word is taken only if it is a number of seconds.
  const OptionalValues watch_secs = {{"--watch", [](const std::string& word) {
                                        double seconds = 0;
                                        return ParseNumber(word, 0.1, 86400, &seconds);
                                      }}};
  for (const Word& w :
       SplitWords(args, {"--servers", "--env", "-i", "--inventory", "--timeout"}, watch_secs)) {
    const std::string& arg = w.name;
    const std::string& value = w.value;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (arg == "--servers") {
      if (!w.has_value) return Usage("--servers needs host:port[:adminport],...");
      std::string error;
      if (!status::ParseServerList(value, &options.targets, &error)) {
        return Usage("--servers: " + error);
      }
      have_servers = true;
    } else if (arg == "--env") {
      if (!w.has_value || value.empty()) return Usage("--env needs an environment name");
      options.env = value;
    } else if (arg == "-i" || arg == "--inventory") {
      if (!w.has_value || value.empty()) return Usage(arg + " needs an inventory file");
      options.inventory = value;
    } else if (arg == "--json") {
      if (w.has_value) return Usage("--json takes no value");
      options.json = true;
    } else if (arg == "--watch") {
      options.watch = true;
      if (w.has_value && !ParseNumber(value, 0.1, 86400, &options.watch_s)) {
        return Usage("--watch needs seconds");
      }
    } else if (arg == "--timeout") {
      double ms = 0;
      if (!w.has_value || !ParseNumber(value, 1, 3600 * 1000, &ms)) {
        return Usage("--timeout needs milliseconds (1..3600000)");
      }
      options.probe.timeout = std::chrono::milliseconds(static_cast<int64_t>(ms));
    } else {
      return Usage("unknown option " + w.text);
    }
  }
  if (!options.env.empty() || !options.inventory.empty()) {
    if (have_servers) return Usage("give --servers or --env/-i, not both");
    if (options.inventory.empty()) return Usage("--env needs an inventory: -i FILE");
    inventory::LoadedCluster loaded;
    if (zk::Status s = inventory::LoadCluster(options.inventory, options.env, &loaded); !s.ok()) {
      std::fprintf(stderr, "zkops status: %s\n", s.message().c_str());
      return kExitUsage;
    }
    for (const inventory::RenderedServer& server : loaded.cluster.servers) {
      status::Target t;
      t.name = "server." + std::to_string(server.id);
      t.host = server.host;
      t.client_port = server.client_port;
      if (server.admin_port != 0) t.admin_port = server.admin_port;
      t.expected_id = static_cast<int64_t>(server.id);
      options.targets.push_back(std::move(t));
    }
    have_servers = !options.targets.empty();
  }
  if (!have_servers) return Usage("which servers? give --servers host:port,...");

  if (options.watch) return Watch(options);
  EnsembleStatus st = Round(options);
  Print(st, options, false);
  return status::ExitCodeFor(st.verdict);
}

}  // namespace zkops
