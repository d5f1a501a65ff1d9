// (d) Ephemerals (ZooKeeper Programmer's Guide, "Ephemeral Nodes": they exist as long as
// the session that created them is active, and are removed when it ends).
//
// Vanishing early: a read that cannot be stale (by the owner session after its create, or a
// sync read) finds the node absent, nobody deleted it, and the owner session was still alive
// afterwards (it had an acknowledged request invoked after the read returned; sessions never
// come back). Surviving: in a final snapshot, a node still owned by a session that closed
// (acknowledged close) or expired.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "context.h"

namespace zkcheck {

void CheckEphemerals(Context* ctx) {
  const History& h = ctx->history;
  struct SessionLife {
    int64_t alive_at = -1;  // latest invocation of an acknowledged request
    size_t alive_op = 0;
    bool ended = false;
    size_t end_op = 0;
  };
  std::unordered_map<std::string, SessionLife> life;
  for (size_t i = 0; i < h.ops.size(); ++i) {
    const Op& op = h.ops[i];
    SessionLife& l = life[op.session];
    if ((op.type == OpType::kClose && op.outcome == Outcome::kOk) ||
        op.type == OpType::kExpire) {
      if (!l.ended) l.end_op = i;
      l.ended = true;
    }
    if (op.outcome == Outcome::kOk && op.type != OpType::kExpire &&
        op.type != OpType::kWatchEvent && op.invoke_time > l.alive_at) {
      l.alive_at = op.invoke_time;
      l.alive_op = i;
    }
  }

  // Ephemeral creates by path, with who created them.
  std::unordered_map<std::string, std::vector<size_t>> creates;
  for (size_t i = 0; i < h.ops.size(); ++i) {
    const Op& op = h.ops[i];
    if ((op.type == OpType::kCreate || op.type == OpType::kCreateSeq) && op.ephemeral &&
        op.outcome != Outcome::kFail && !op.path.empty()) {
      creates[op.path].push_back(i);
    }
  }

  for (const auto& [path, list] : creates) {
    auto key = ctx->keys.find(path);
    for (size_t ci : list) {
      const Op& c = h.ops[ci];
      if (c.outcome != Outcome::kOk) continue;
      const SessionLife& owner = life[c.session];
      if (key == ctx->keys.end()) continue;
      for (size_t ri : key->second.reads) {
        const Op& r = h.ops[ri];
        if (r.outcome != Outcome::kOk || r.exists) continue;
        bool fresh = r.type == OpType::kSyncRead || r.session == c.session;
        if (!fresh || r.invoke_time <= c.complete_time) continue;
        if (owner.alive_at <= r.complete_time) continue;
        bool deleted = false;  // by a delete op, or by another create's owner ending
        for (size_t ei : key->second.effects) {
          const Effect& e = ctx->effects[ei];
          if (e.type == OpType::kDelete && e.outcome != Outcome::kFail &&
              e.invoke_time < r.complete_time) {
            deleted = true;
          }
        }
        if (deleted) continue;
        ctx->Violate("ephemeral", path,
                     "ephemeral " + path + " of session " + c.session +
                         " was gone while the session was still alive (it had a request "
                         "acknowledged after the node was seen absent), and nobody deleted it",
                     {ci, ri, owner.alive_op});
        break;
      }
    }
  }

  // Final state: no node owned by an ended session; without owners in the snapshot, no node
  // that only an ended session ever created.
  for (const FinalSnapshot& snap : h.finals) {
    if (!snap.has_nodes) continue;
    for (const auto& [path, node] : snap.nodes) {
      std::string owner = node.ephemeral_owner;
      std::vector<size_t> window;
      auto cr = creates.find(path);
      if (owner.empty()) {
        if (cr == creates.end()) continue;
        // Unknown owner: a violation only if every creator ended and no persistent create.
        bool all_ended = true;
        for (size_t ci : cr->second) {
          const auto& l = life[h.ops[ci].session];
          all_ended = all_ended && l.ended;
          window.push_back(ci);
          window.push_back(l.end_op);
        }
        auto key = ctx->keys.find(path);
        bool persistent_create = false;
        if (key != ctx->keys.end()) {
          for (size_t ei : key->second.effects) {
            const Effect& e = ctx->effects[ei];
            persistent_create |= (e.type == OpType::kCreate || e.type == OpType::kCreateSeq) &&
                                 !e.ephemeral && e.outcome != Outcome::kFail;
          }
        }
        if (!all_ended || persistent_create) continue;
        owner = h.ops[cr->second.front()].session;
      } else {
        auto l = life.find(owner);
        if (l == life.end() || !l->second.ended) continue;
        window.push_back(l->second.end_op);
        if (cr != creates.end()) {
          for (size_t ci : cr->second) {
            if (h.ops[ci].session == owner) window.push_back(ci);
          }
        }
      }
      ctx->Violate("ephemeral", path,
                   "ephemeral " + path + " of session " + owner + " survives on server " +
                       snap.server + " after the session closed or expired",
                   std::move(window));
    }
  }
}

}  // namespace zkcheck
