// (f) multi is all or nothing (ZooKeeper Programmer's Guide, "Transactions / multi"): one
// txn, one zxid for all its changes. Judged on each final snapshot: once any change of a
// multi is visible (a node with the multi's zxid, or holding data only that multi wrote),
// every other change of it must be there too, or be overwritten by something later. A failed
// multi must leave no trace. Reads seeing part of a multi break the session rules
// (session_rules.cc: one session reading the new value of one key and the old of another).
#include "context.h"

namespace zkcheck {
namespace {

// Whether some non-failed effect on `key` other than the multi's may come after it.
bool LaterChangePossible(const Context& ctx, const std::string& key, size_t multi_op,
                         int64_t multi_zxid, int64_t node_mzxid) {
  auto it = ctx.keys.find(key);
  if (it == ctx.keys.end()) return false;
  const Op& m = ctx.history.ops[multi_op];
  for (size_t ei : it->second.effects) {
    const Effect& e = ctx.effects[ei];
    if (e.op == multi_op || e.outcome == Outcome::kFail || e.type == OpType::kCheck) continue;
    if (e.zxid != kUnknown && multi_zxid != kUnknown) {
      if (e.zxid > multi_zxid) return true;
    } else if (e.complete_time > m.invoke_time) {
      return true;
    }
  }
  // A node changed after the multi by something the history does not show.
  return node_mzxid != kUnknown && multi_zxid != kUnknown && node_mzxid > multi_zxid;
}

// Whether the multi `multi_op` is the only op that ever wrote `value` to `key`.
bool OnlyWriter(const Context& ctx, const std::string& key, const std::string& value,
                size_t multi_op) {
  auto init = ctx.history.initial.find(key);
  if (init != ctx.history.initial.end() && init->second.value == value) return false;
  for (size_t ei : ctx.keys.at(key).effects) {
    const Effect& e = ctx.effects[ei];
    if (e.op != multi_op && e.outcome != Outcome::kFail && e.value == value) return false;
  }
  return true;
}

}  // namespace

void CheckMulti(Context* ctx) {
  const History& h = ctx->history;
  for (size_t mi = 0; mi < h.ops.size(); ++mi) {
    const Op& m = h.ops[mi];
    if (m.type != OpType::kMulti) continue;
    for (const FinalSnapshot& snap : h.finals) {
      if (!snap.has_nodes) continue;
      // Evidence that the multi took effect on this server.
      int64_t zxid = m.outcome == Outcome::kOk ? m.zxid : kUnknown;
      std::string seen_key;
      for (const SubOp& sub : m.sub_ops) {
        if (!sub.value || sub.type == OpType::kCreateSeq) continue;
        auto node = snap.nodes.find(sub.key);
        if (node == snap.nodes.end()) continue;
        bool by_zxid = zxid != kUnknown && node->second.mzxid == zxid;
        bool by_value =
            node->second.value == *sub.value && OnlyWriter(*ctx, sub.key, *sub.value, mi);
        if (by_zxid || by_value) {
          seen_key = sub.key;
          if (zxid == kUnknown) zxid = node->second.mzxid;
          break;
        }
      }
      bool applied = m.outcome == Outcome::kOk || !seen_key.empty();
      if (!applied) continue;
      if (m.outcome == Outcome::kFail) {
        ctx->Violate("multi", seen_key,
                     "multi failed, yet its change to " + seen_key + " is on server " +
                         snap.server,
                     {mi});
        continue;
      }
      for (const SubOp& sub : m.sub_ops) {
        if (sub.type == OpType::kCheck || sub.type == OpType::kCreateSeq) continue;
        auto node = snap.nodes.find(sub.key);
        bool missing = false;
        if (sub.type == OpType::kDelete) {
          if (node != snap.nodes.end()) {
            missing = (zxid != kUnknown && node->second.mzxid != kUnknown &&
                       node->second.mzxid < zxid) ||
                      !LaterChangePossible(*ctx, sub.key, mi, zxid, node->second.mzxid);
          }
        } else if (node == snap.nodes.end()) {
          missing = !LaterChangePossible(*ctx, sub.key, mi, zxid, kUnknown);
        } else if (zxid != kUnknown && node->second.mzxid != kUnknown) {
          missing = node->second.mzxid < zxid ||
                    (node->second.mzxid == zxid && sub.value && node->second.value != *sub.value);
        } else if (sub.value && node->second.value != *sub.value) {
          missing = !LaterChangePossible(*ctx, sub.key, mi, zxid, node->second.mzxid);
        }
        if (missing) {
          std::string why = m.outcome == Outcome::kOk
                                ? "the multi was acknowledged"
                                : "its change to " + seen_key + " is there";
          ctx->Violate("multi", sub.key,
                       "multi applied only in part on server " + snap.server + ": its " +
                           OpTypeName(sub.type) + " of " + sub.key + " is missing although " +
                           why,
                       {mi});
        }
      }
    }
  }
}

}  // namespace zkcheck
