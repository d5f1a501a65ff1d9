// (a) Linearizability per znode (P-compositionality: a history is linearizable iff each
// znode's sub-history is; Herlihy & Wing 1990, locality). Searched: writes, CAS, creates,
// deletes, multi sub-ops, definite failures that tell something (BadVersion, NoNode,
// NodeExists) and sync reads. Plain reads are left to the session rules: ZooKeeper serves
// them from the local replica, so they may be stale (Programmer's Guide, "Consistency
// Guarantees"). Znodes with ephemeral or sequential creates are checked by their own rules
// (session expiry deletes without an op in the history).
#include <algorithm>
#include <unordered_map>

#include "context.h"
#include "wgl.h"

namespace zkcheck {
namespace {

class Interner {
 public:
  int32_t Id(const std::optional<std::string>& v) {
    if (!v) return -1;
    auto [it, inserted] = ids_.emplace(*v, static_cast<int32_t>(ids_.size()));
    return it->second;
  }

 private:
  std::unordered_map<std::string, int32_t> ids_;
};

FailKind FailKindOf(const std::string& error) {
  if (error == "bad_version") return FailKind::kBadVersion;
  if (error == "no_node") return FailKind::kNoNode;
  if (error == "node_exists") return FailKind::kNodeExists;
  return FailKind::kNone;
}

// When the op ran and where it stands in the history file.
void CopyTiming(const Op& op, RegOp* r) {
  r->invoke_time = op.invoke_time;
  r->complete_time = op.complete_time;
  r->invoke_line = op.invoke_line;
  r->complete_line = op.complete_line;
}

bool ToRegOp(const Context& ctx, const Effect& e, Interner* values, RegOp* out) {
  const Op& op = ctx.history.ops[e.op];
  RegOp r;
  switch (e.type) {
    case OpType::kWrite: r.kind = RegKind::kWrite; break;
    case OpType::kCas: r.kind = RegKind::kCas; break;
    case OpType::kCreate: r.kind = RegKind::kCreate; break;
    case OpType::kDelete: r.kind = RegKind::kDelete; break;
    case OpType::kCheck: r.kind = RegKind::kCheck; break;
    default: return false;
  }
  r.outcome = e.outcome;
  if (e.outcome == Outcome::kFail) {
    // A failed multi has no effect and its error names no single sub-op; other failures
    // constrain the state only for the errors the model knows.
    if (e.sub != -1) return false;
    r.fail = FailKindOf(op.error);
    if (r.fail == FailKind::kNone) return false;
    if (r.kind == RegKind::kCreate && r.fail != FailKind::kNodeExists) return false;
    if ((r.kind == RegKind::kWrite || r.kind == RegKind::kCas || r.kind == RegKind::kDelete) &&
        r.fail == FailKind::kNodeExists) {
      return false;
    }
  }
  if (r.kind == RegKind::kCheck && e.outcome != Outcome::kOk) return false;
  r.value = values->Id(e.value);
  r.expected_version = e.expected_version;
  r.version = e.version;
  r.zxid = e.zxid;
  CopyTiming(op, &r);
  r.op_index = e.op;
  *out = r;
  return true;
}

RegOp ReadToRegOp(const Op& op, size_t index, Interner* values) {
  RegOp r;
  r.kind = RegKind::kRead;
  r.read_exists = op.exists;
  r.value = op.exists ? values->Id(op.value) : -1;
  r.version = op.version;
  r.zxid = op.zxid;
  CopyTiming(op, &r);
  r.op_index = index;
  return r;
}

struct SubsetResult {
  SearchVerdict verdict;
  size_t relaxed = 0;
};

// Checks the ops in `keep` alone, soundly: an op left out that may have taken effect inside
// the window is relaxed to an op of unknown outcome (it keeps its own semantics, e.g. a
// write still bumps the version, but its results are not checked and it may happen at any
// point after its invocation, or never), ops that completed before the window fold into an
// unknown initial state, reads and failures are dropped. Each relaxation only allows more,
// so if the subset is not linearizable, neither is the whole history.
SubsetResult CheckSubset(const std::vector<RegOp>& all, const std::vector<bool>& keep,
                         const ZnodeState& initial, const Context& ctx) {
  int64_t lo = kNever, hi = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!keep[i]) continue;
    lo = std::min(lo, all[i].invoke_time);
    hi = std::max(hi, all[i].complete_time);
  }
  std::vector<RegOp> sub;
  bool absorbed = false;
  SubsetResult result{SearchVerdict::kUndecided, 0};
  for (size_t i = 0; i < all.size(); ++i) {
    const RegOp& r = all[i];
    if (keep[i]) {
      sub.push_back(r);
      continue;
    }
    if (r.kind == RegKind::kRead || r.kind == RegKind::kCheck || r.outcome == Outcome::kFail) {
      continue;
    }
    if (r.complete_time < lo) {
      absorbed = true;
    } else if (r.invoke_time <= hi) {
      RegOp relaxed = r;
      relaxed.outcome = Outcome::kInfo;
      relaxed.version = kUnknown;
      relaxed.zxid = kUnknown;
      relaxed.complete_time = kNever;
      sub.push_back(relaxed);
      ++result.relaxed;
    }
  }
  SearchLimits limits;
  limits.max_states = 200'000;
  limits.deadline = std::min(ctx.deadline, std::chrono::steady_clock::now() +
                                               std::chrono::seconds(2));
  result.verdict = SearchLinearization(sub, absorbed ? ZnodeState{} : initial, limits).verdict;
  return result;
}

// Finds a small window of ops that is not linearizable on its own: first the shortest run of
// ops invoked up to where the full search got stuck, then drops ops one by one while the
// rest stays non-linearizable (bounded by CheckOptions::shrink_attempts).
std::vector<bool> Shrink(const std::vector<RegOp>& ops, int blocking, const ZnodeState& initial,
                         const Context& ctx, size_t* relaxed) {
  const size_t n = ops.size();
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  // Latest invoked first.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (ops[a].invoke_time != ops[b].invoke_time) return ops[a].invoke_time > ops[b].invoke_time;
    return ops[a].invoke_line > ops[b].invoke_line;
  });
  int64_t end = blocking >= 0 ? ops[blocking].complete_time : kNever;
  std::vector<size_t> candidates;
  for (size_t i : order) {
    if (ops[i].invoke_time <= end) candidates.push_back(i);
  }
  std::vector<bool> keep(n, true);
  SubsetResult best{SearchVerdict::kNotLinearizable, 0};
  for (size_t k = 2; !ctx.OutOfTime(); k *= 2) {
    std::vector<bool> trial(n, false);
    if (blocking >= 0) trial[blocking] = true;
    for (size_t j = 0; j < std::min(k, candidates.size()); ++j) trial[candidates[j]] = true;
    SubsetResult r = CheckSubset(ops, trial, initial, ctx);
    if (r.verdict == SearchVerdict::kNotLinearizable) {
      keep = trial;
      best = r;
      break;
    }
    if (k >= candidates.size()) break;
  }
  size_t attempts = 0;
  for (size_t i : order) {
    if (!keep[i]) continue;
    if (attempts++ >= ctx.options.shrink_attempts || ctx.OutOfTime()) break;
    keep[i] = false;
    SubsetResult r = CheckSubset(ops, keep, initial, ctx);
    if (r.verdict == SearchVerdict::kNotLinearizable) {
      best = r;
    } else {
      keep[i] = true;
    }
  }
  *relaxed = best.relaxed;
  return keep;
}

}  // namespace

void CheckLinearizability(Context* ctx) {
  for (const auto& [key, info] : ctx->keys) {
    if (info.ephemeral || info.sequential) continue;
    Interner values;
    std::vector<RegOp> ops;
    for (size_t ei : info.effects) {
      RegOp r;
      if (ToRegOp(*ctx, ctx->effects[ei], &values, &r)) ops.push_back(r);
    }
    for (size_t oi : info.reads) {
      const Op& op = ctx->history.ops[oi];
      bool searched = op.type == OpType::kSyncRead || ctx->options.linearizable_reads;
      if (searched && op.outcome == Outcome::kOk) ops.push_back(ReadToRegOp(op, oi, &values));
    }
    if (ops.empty()) continue;
    ZnodeState initial;  // undeclared: any state
    auto init = ctx->history.initial.find(key);
    if (init != ctx->history.initial.end()) {
      const InitialNode& n = init->second;
      initial = n.exists ? ZnodeState{1, values.Id(n.value), n.version, n.mzxid}
                         : ZnodeState{0, -1, -1, -1};
    }
    SearchLimits limits;
    limits.max_states = ctx->options.max_states_per_key;
    limits.deadline = ctx->deadline;
    SearchResult result = SearchLinearization(ops, initial, limits);
    ++ctx->report->stats.keys_searched;
    ctx->report->stats.states += result.states;
    if (result.verdict == SearchVerdict::kUndecided) {
      ctx->report->undecided.push_back(
          {key, "linearizability search stopped after " + std::to_string(result.states) +
                    " states (budget: --max-states / --time-limit) without a verdict"});
      continue;
    }
    if (result.verdict == SearchVerdict::kLinearizable) continue;
    size_t relaxed = 0;
    std::vector<bool> keep = Shrink(ops, result.blocking_op, initial, *ctx, &relaxed);
    std::vector<size_t> window;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (keep[i]) window.push_back(ops[i].op_index);
    }
    std::string note;
    if (relaxed > 0) {
      note = std::to_string(relaxed) +
             " other change(s) to this znode overlapping the window were taken as of "
             "unknown outcome";
    }
    std::string message = "no linearization exists for the " +
                          std::to_string(window.size()) + " operation(s) below on " + key +
                          ": no order of them consistent with real time and znode "
                          "semantics (data, version, zxid) explains their results";
    ctx->Violate("linearizability", key, message, std::move(window), note);
  }
}

}  // namespace zkcheck
