// zkcheck: checks a recorded history against ZooKeeper's guarantees (ZooKeeper Programmer's
// Guide, "ZooKeeper Guarantees"): linearizable writes per znode, FIFO client order,
// sequentially consistent reads that never go back in a session, and the invariants of
// sequential nodes, ephemerals, watches, multi and the final state. README.md has the rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "history.h"

namespace zkcheck {

struct CheckOptions {
  // Linearizability search budget per znode; beyond it the znode is undecided, never passed.
  uint64_t max_states_per_key = 2'000'000;
  // Wall-clock budget for the whole check (search and shrinking).
  std::chrono::milliseconds time_limit{60'000};
  // Require each watch event before the read that returns the newer data. A harness that
  // stamps events when a callback thread runs (not when the client received them) turns it
  // off.
  bool watch_order = true;
  // Check plain reads for linearizability too (not a ZooKeeper guarantee; off by default).
  bool linearizable_reads = false;
  // Attempts to drop an op while shrinking a non-linearizable window.
  size_t shrink_attempts = 300;
};

enum class Verdict { kValid = 0, kViolation = 1, kUndecided = 3 };

struct Violation {
  std::string check;    // linearizability, session, sequential, ephemeral, watch, multi, final
  std::string key;      // znode path or session the violation is about
  std::string message;  // what is wrong, in one or two sentences
  std::vector<size_t> window;  // the ops that prove it (indices into History::ops), by time
  std::string note;            // optional: how the window was cut
};

struct Undecided {
  std::string key;
  std::string reason;
};

struct CheckStats {
  size_t ops = 0;
  size_t keys_searched = 0;
  uint64_t states = 0;
  double seconds = 0;
};

struct Report {
  Verdict verdict = Verdict::kValid;
  std::vector<Violation> violations;
  std::vector<Undecided> undecided;
  CheckStats stats;
};

// Runs every check. A violation anywhere makes the verdict kViolation (it is a proof); else a
// search over budget makes it kUndecided; else kValid. Thread-compatible, no I/O.
Report CheckHistory(const History& history, const CheckOptions& options);

// Readable text: the verdict, then each violation with its window, one op per line.
std::string RenderText(const Report& report, const History& history);
// The same as one JSON object (verdict, violations[{check,key,message,window[...]}], ...).
std::string RenderJson(const Report& report, const History& history);
// One op in one line: "line 12-14 p3 s=0x1 cas /r expected=2 value="x" -> ok version=3 ...".
std::string DescribeOp(const Op& op);

}  // namespace zkcheck
