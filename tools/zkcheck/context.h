// What every check shares: the history split into per-znode effects (multi sub-ops and
// created sequential paths included) and the zxids of every change known per znode.
// Internal to zkcheck_lib.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "checker.h"

namespace zkcheck {

// One attempted change to one znode (a top-level op, or a sub-op of a multi).
struct Effect {
  size_t op = 0;  // index in History::ops
  int sub = -1;   // index in Op::sub_ops, -1 for a top-level op
  OpType type = OpType::kWrite;
  std::string key;
  std::optional<std::string> value;
  int64_t expected_version = kUnknown;
  int64_t version = kUnknown;  // after the change, if known
  int64_t zxid = kUnknown;     // of the change, if known
  Outcome outcome = Outcome::kInfo;
  bool ephemeral = false;
  int64_t invoke_time = 0;
  int64_t complete_time = kNever;
};

struct KeyInfo {
  std::vector<size_t> effects;        // indices into Context::effects, in history order
  std::vector<size_t> reads;          // indices into History::ops (read, sync_read)
  std::vector<int64_t> change_zxids;  // sorted, unique: zxids of known changes to the node
  bool ephemeral = false;             // some create of it was ephemeral
  bool sequential = false;            // created by create_seq
  bool has_delete = false;
  // Earliest invocation of a non-failed effect writing each value (the origin of a read).
  std::unordered_map<std::string, int64_t> first_written;
  // The acknowledged effect (index into Context::effects) for each known change zxid.
  std::unordered_map<int64_t, size_t> effect_by_zxid;
};

struct Context {
  Context(const History& h, const CheckOptions& o, Report* r);

  // Records a violation; `window` is sorted by invocation and deduplicated here.
  void Violate(const std::string& check, const std::string& key, const std::string& message,
               std::vector<size_t> window, const std::string& note = "");
  bool OutOfTime() const { return std::chrono::steady_clock::now() > deadline; }
  // The smallest known change zxid of `key` above `zxid`, or kNever.
  int64_t NextChange(const std::string& key, int64_t zxid) const;
  // True if some non-failed effect on `key` other than `self` wrote `value` and was invoked
  // before `before`.
  bool SomeoneWrote(const std::string& key, const std::string& value, int64_t before,
                    size_t self_effect) const;
  // The op that made the change `zxid` to `key` (an acknowledged effect, else a read that
  // returned it as mzxid), if the history has one.
  std::optional<size_t> OpOfChange(const std::string& key, int64_t zxid) const;

  const History& history;
  const CheckOptions& options;
  Report* report;
  std::chrono::steady_clock::time_point deadline;
  std::vector<Effect> effects;
  std::map<std::string, KeyInfo> keys;
};

// The checks, one file each; each appends violations (and undecided keys) to ctx->report.
void CheckLinearizability(Context* ctx);  // linearizability.cc
void CheckSessions(Context* ctx);         // session_rules.cc
void CheckSequential(Context* ctx);       // sequential.cc
void CheckEphemerals(Context* ctx);       // ephemerals.cc
void CheckWatches(Context* ctx);          // watches.cc
void CheckMulti(Context* ctx);            // multi.cc
void CheckFinalState(Context* ctx);       // final_state.cc

}  // namespace zkcheck
