// zkcheck: checks a JSON-lines history of ZooKeeper client operations (README.md) and prints
// the verdict. Exit codes: 0 valid, 1 violation, 2 usage or parse error, 3 undecided.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "checker.h"

namespace {

constexpr int kExitUsage = 2;

void PrintUsage(std::FILE* to) {
  std::fprintf(to,
               "Usage: zkcheck [options] HISTORY.jsonl   (- reads stdin)\n\n"
               "Checks a recorded history against ZooKeeper's guarantees: linearizable\n"
               "writes/CAS per znode, session read rules, sequential and ephemeral nodes,\n"
               "watches, multi, and the final state of every server.\n\n"
               "Options:\n"
               "  --json               print the report as JSON\n"
               "  --max-states N       search budget per znode (default 2000000)\n"
               "  --time-limit-ms N    wall-clock budget for the whole check (default 60000)\n"
               "  --no-watch-order     do not require watch events before newer reads\n"
               "  --linearizable-reads also search plain reads (not a ZooKeeper guarantee)\n"
               "  --help\n\n"
               "Exit codes: 0 valid, 1 violation, 2 usage or parse error, 3 undecided.\n");
}

bool ParseCount(const std::string& text, uint64_t* out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  *out = std::strtoull(text.c_str(), nullptr, 10);
  return *out > 0;
}

}  // namespace

int main(int argc, char** argv) {
  zkcheck::CheckOptions options;
  bool json = false;
  std::string file;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    uint64_t n = 0;
    if (arg == "--help" || arg == "-h") {
      PrintUsage(stdout);
      return 0;
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--no-watch-order") {
      options.watch_order = false;
    } else if (arg == "--linearizable-reads") {
      options.linearizable_reads = true;
    } else if ((arg == "--max-states" || arg == "--time-limit-ms") && i + 1 < argc) {
      if (!ParseCount(argv[++i], &n)) {
        std::fprintf(stderr, "zkcheck: %s needs a positive integer\n", arg.c_str());
        return kExitUsage;
      }
      if (arg == "--max-states") {
        options.max_states_per_key = n;
      } else {
        options.time_limit = std::chrono::milliseconds(n);
      }
    } else if (arg != "-" && arg.rfind("-", 0) == 0) {
      std::fprintf(stderr, "zkcheck: unknown option '%s'\n\n", arg.c_str());
      PrintUsage(stderr);
      return kExitUsage;
    } else if (file.empty()) {
      file = arg;
    } else {
      std::fprintf(stderr, "zkcheck: one history file only\n");
      return kExitUsage;
    }
  }
  if (file.empty()) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  zkcheck::History history;
  zk::Status status;
  if (file == "-") {
    status = zkcheck::ParseHistory(std::cin, &history);
  } else {
    std::ifstream in(file);
    if (!in) {
      std::fprintf(stderr, "zkcheck: cannot open %s\n", file.c_str());
      return kExitUsage;
    }
    status = zkcheck::ParseHistory(in, &history);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "zkcheck: %s: %s\n", file.c_str(), status.message().c_str());
    return kExitUsage;
  }
  zkcheck::Report report = zkcheck::CheckHistory(history, options);
  if (json) {
    std::printf("%s\n", zkcheck::RenderJson(report, history).c_str());
  } else {
    std::fputs(zkcheck::RenderText(report, history).c_str(), stdout);
  }
  return static_cast<int>(report.verdict);
}
