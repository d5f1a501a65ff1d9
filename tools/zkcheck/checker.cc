// CheckHistory: builds the shared per-znode index, then runs each check.
#include <algorithm>

#include "context.h"

namespace zkcheck {
namespace {

void AddEffect(Context* ctx, Effect e) {
  KeyInfo& info = ctx->keys[e.key];
  if (e.ephemeral) info.ephemeral = true;
  if (e.type == OpType::kDelete) info.has_delete = true;
  if (e.outcome == Outcome::kOk && e.zxid != kUnknown) {
    info.change_zxids.push_back(e.zxid);
    info.effect_by_zxid.emplace(e.zxid, ctx->effects.size());
  }
  if (e.outcome != Outcome::kFail && e.value) {
    auto [it, inserted] = info.first_written.emplace(*e.value, e.invoke_time);
    if (!inserted) it->second = std::min(it->second, e.invoke_time);
  }
  info.effects.push_back(ctx->effects.size());
  ctx->effects.push_back(std::move(e));
}

void Index(Context* ctx) {
  const History& h = ctx->history;
  for (size_t i = 0; i < h.ops.size(); ++i) {
    const Op& op = h.ops[i];
    if (op.type == OpType::kRead || op.type == OpType::kSyncRead) {
      KeyInfo& info = ctx->keys[op.key];
      info.reads.push_back(i);
      if (op.outcome == Outcome::kOk && op.exists && op.zxid != kUnknown) {
        info.change_zxids.push_back(op.zxid);  // a read's mzxid names a real change
      }
      continue;
    }
    if (!IsMutating(op.type)) continue;
    auto base = [&](OpType type) {
      Effect e;
      e.op = i;
      e.type = type;
      e.outcome = op.outcome;
      e.invoke_time = op.invoke_time;
      e.complete_time = op.complete_time;
      e.zxid = op.outcome == Outcome::kOk ? op.zxid : kUnknown;
      return e;
    };
    if (op.type == OpType::kMulti) {
      for (size_t s = 0; s < op.sub_ops.size(); ++s) {
        const SubOp& sub = op.sub_ops[s];
        Effect e = base(sub.type);
        e.sub = static_cast<int>(s);
        e.key = sub.type == OpType::kCreateSeq ? sub.path : sub.key;
        if (e.key.empty()) continue;  // sequential name unknown
        e.value = sub.value;
        e.expected_version = sub.expected_version;
        e.ephemeral = sub.ephemeral;
        e.version = op.outcome == Outcome::kOk ? sub.version : kUnknown;
        if (sub.type == OpType::kCreate && e.version == kUnknown && op.outcome == Outcome::kOk) {
          e.version = 0;
        }
        if (sub.type == OpType::kCreateSeq) ctx->keys[e.key].sequential = true;
        if (sub.type == OpType::kCheck) e.zxid = kUnknown;  // a check changes nothing
        AddEffect(ctx, std::move(e));
      }
      continue;
    }
    Effect e = base(op.type);
    e.key = op.type == OpType::kCreateSeq ? op.path : op.key;
    if (e.key.empty()) continue;  // create_seq without an acknowledged name
    e.value = op.value;
    e.expected_version = op.expected_version;
    e.ephemeral = op.ephemeral;
    e.version = op.outcome == Outcome::kOk ? op.version : kUnknown;
    if ((op.type == OpType::kCreate || op.type == OpType::kCreateSeq) &&
        op.outcome == Outcome::kOk) {
      e.version = 0;
    }
    if (op.type == OpType::kCreateSeq) ctx->keys[e.key].sequential = true;
    AddEffect(ctx, std::move(e));
  }
  for (const FinalSnapshot& snap : h.finals) {
    for (const auto& [path, node] : snap.nodes) {
      auto it = ctx->keys.find(path);
      if (it != ctx->keys.end() && node.mzxid != kUnknown) {
        it->second.change_zxids.push_back(node.mzxid);
      }
    }
  }
  for (auto& [key, info] : ctx->keys) {
    std::sort(info.change_zxids.begin(), info.change_zxids.end());
    info.change_zxids.erase(std::unique(info.change_zxids.begin(), info.change_zxids.end()),
                            info.change_zxids.end());
  }
}

}  // namespace

Context::Context(const History& h, const CheckOptions& o, Report* r)
    : history(h),
      options(o),
      report(r),
      deadline(std::chrono::steady_clock::now() + o.time_limit) {}

void Context::Violate(const std::string& check, const std::string& key,
                      const std::string& message, std::vector<size_t> window,
                      const std::string& note) {
  std::sort(window.begin(), window.end(), [this](size_t a, size_t b) {
    const Op& x = history.ops[a];
    const Op& y = history.ops[b];
    if (x.invoke_time != y.invoke_time) return x.invoke_time < y.invoke_time;
    return x.invoke_line < y.invoke_line;
  });
  window.erase(std::unique(window.begin(), window.end()), window.end());
  report->violations.push_back({check, key, message, std::move(window), note});
}

int64_t Context::NextChange(const std::string& key, int64_t zxid) const {
  auto it = keys.find(key);
  if (it == keys.end()) return kNever;
  const std::vector<int64_t>& z = it->second.change_zxids;
  auto up = std::upper_bound(z.begin(), z.end(), zxid);
  return up == z.end() ? kNever : *up;
}

bool Context::SomeoneWrote(const std::string& key, const std::string& value, int64_t before,
                           size_t self_effect) const {
  auto init = history.initial.find(key);
  if (init != history.initial.end() && init->second.exists && init->second.value == value) {
    return true;
  }
  auto it = keys.find(key);
  if (it == keys.end()) return false;
  for (size_t ei : it->second.effects) {
    const Effect& e = effects[ei];
    if (ei == self_effect || e.outcome == Outcome::kFail) continue;
    if (e.value == value && e.invoke_time < before) return true;
  }
  return false;
}

std::optional<size_t> Context::OpOfChange(const std::string& key, int64_t zxid) const {
  auto it = keys.find(key);
  if (it == keys.end() || zxid == kUnknown) return std::nullopt;
  auto e = it->second.effect_by_zxid.find(zxid);
  if (e != it->second.effect_by_zxid.end()) return effects[e->second].op;
  for (size_t oi : it->second.reads) {
    const Op& op = history.ops[oi];
    if (op.outcome == Outcome::kOk && op.exists && op.zxid == zxid) return oi;
  }
  return std::nullopt;
}

Report CheckHistory(const History& history, const CheckOptions& options) {
  auto start = std::chrono::steady_clock::now();
  Report report;
  Context ctx(history, options, &report);
  Index(&ctx);
  CheckLinearizability(&ctx);
  CheckSessions(&ctx);
  CheckSequential(&ctx);
  CheckEphemerals(&ctx);
  CheckWatches(&ctx);
  CheckMulti(&ctx);
  CheckFinalState(&ctx);
  report.stats.ops = history.ops.size();
  report.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!report.violations.empty()) {
    report.verdict = Verdict::kViolation;
  } else if (!report.undecided.empty()) {
    report.verdict = Verdict::kUndecided;
  } else {
    report.verdict = Verdict::kValid;
  }
  return report;
}

}  // namespace zkcheck
