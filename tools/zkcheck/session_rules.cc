// (b) What a session may read (ZooKeeper Programmer's Guide, "ZooKeeper Guarantees": FIFO
// client order, a client never sees an older view after a newer one, reads are served by
// a replica that has applied every earlier request of the session).
//
// A session's view is a prefix of the zxid order that only grows, and every request of the
// session is processed in invocation order. So each read of key K returning mzxid z means
// the view was in [z, next change of K after z); each acknowledged write at w means the view
// is past w afterwards and w is above everything seen before. A read whose interval ends
// below what the session had already seen went back in time (covers monotonic reads across
// keys and read-your-writes). Without zxids the per-znode data version is used instead.
//
// Also here: every read returns data that some write (or the declared initial state) wrote.
#include <algorithm>
#include <unordered_map>

#include "context.h"

namespace zkcheck {
namespace {

struct Seen {
  int64_t version = -1;
  size_t op = 0;
};

void CheckSession(Context* ctx, const std::string& session, std::vector<size_t> ops) {
  const History& h = ctx->history;
  std::sort(ops.begin(), ops.end(), [&](size_t a, size_t b) {
    if (h.ops[a].invoke_time != h.ops[b].invoke_time) {
      return h.ops[a].invoke_time < h.ops[b].invoke_time;
    }
    return h.ops[a].invoke_line < h.ops[b].invoke_line;
  });
  int64_t seen = -1;  // the highest zxid the session saw or wrote
  size_t seen_op = 0;
  int64_t last_write = -1;
  size_t last_write_op = 0;
  std::unordered_map<std::string, Seen> versions;  // fallback without zxids
  for (size_t oi : ops) {
    const Op& op = h.ops[oi];
    if (op.outcome != Outcome::kOk) continue;
    bool read = op.type == OpType::kRead || op.type == OpType::kSyncRead;
    if (read && op.exists) {
      if (op.zxid != kUnknown) {
        int64_t next = ctx->NextChange(op.key, op.zxid);
        if (seen != -1 && next != kNever && next <= seen) {
          std::vector<size_t> window = {seen_op, oi};
          if (std::optional<size_t> w = ctx->OpOfChange(op.key, next)) window.push_back(*w);
          ctx->Violate("session", session,
                       "session " + session + " read " + op.key + " at mzxid " + Hex(op.zxid) +
                           " after it had already seen zxid " + Hex(seen) + ", but " + op.key +
                           " changed again at " + Hex(next) +
                           " <= " + Hex(seen) + ": the session read backwards",
                       std::move(window));
        }
        if (op.zxid > seen) {
          seen = op.zxid;
          seen_op = oi;
        }
      } else if (op.version != kUnknown && !ctx->keys[op.key].has_delete) {
        Seen& v = versions[op.key];
        if (op.version < v.version) {
          ctx->Violate("session", session,
                       "session " + session + " read " + op.key + " at version " +
                           std::to_string(op.version) + " after it had already seen version " +
                           std::to_string(v.version) + ": the session read backwards",
                       {v.op, oi});
        }
        if (op.version > v.version) v = {op.version, oi};
      }
      continue;
    }
    if (!IsMutating(op.type) || op.zxid == kUnknown) {
      if (IsMutating(op.type) && op.version != kUnknown && !op.key.empty()) {
        Seen& v = versions[op.key];
        if (op.version > v.version) v = {op.version, oi};
      }
      continue;
    }
    if (op.zxid <= last_write) {
      ctx->Violate("session", session,
                   "session " + session + "'s writes were not applied in FIFO order: a later "
                   "request got zxid " + Hex(op.zxid) + " <= " + Hex(last_write) +
                   " of an earlier one",
                   {last_write_op, oi});
    } else if (op.zxid <= seen) {
      ctx->Violate("session", session,
                   "session " + session + "'s write got zxid " + Hex(op.zxid) +
                       ", not above zxid " + Hex(seen) +
                       " that the session had already seen before issuing it",
                   {seen_op, oi});
    }
    last_write = std::max(last_write, op.zxid);
    last_write_op = oi;
    if (op.zxid > seen) {
      seen = op.zxid;
      seen_op = oi;
    }
    if (op.version != kUnknown && !op.key.empty()) {
      Seen& v = versions[op.key];
      if (op.version > v.version) v = {op.version, oi};
    }
  }
}

// A read returns data some write produced: the change at its mzxid, else a write of the same
// data invoked before the read returned, else the declared initial data.
void CheckReadOrigins(Context* ctx) {
  const History& h = ctx->history;
  for (const auto& [key, info] : ctx->keys) {
    bool searched = !info.ephemeral && !info.sequential;
    for (size_t oi : info.reads) {
      const Op& op = h.ops[oi];
      if (op.outcome != Outcome::kOk || !op.exists || !op.value) continue;
      if (searched && (op.type == OpType::kSyncRead || ctx->options.linearizable_reads)) {
        continue;  // the linearizability search judges it
      }
      auto by_zxid = info.effect_by_zxid.find(op.zxid);
      if (op.zxid != kUnknown && by_zxid != info.effect_by_zxid.end()) {
        const Effect& e = ctx->effects[by_zxid->second];
        if (e.value && *e.value != *op.value && e.type != OpType::kDelete) {
          ctx->Violate("session", key,
                       "read of " + key + " returned \"" + *op.value + "\" at mzxid " +
                           Hex(op.zxid) + ", but the change at " + Hex(op.zxid) + " wrote \"" +
                           *e.value + "\"",
                       {e.op, oi});
        }
        continue;
      }
      auto init = h.initial.find(key);
      if (init != h.initial.end() && init->second.exists && init->second.value == *op.value) {
        continue;
      }
      auto first = info.first_written.find(*op.value);
      if (first == info.first_written.end() || first->second >= op.complete_time) {
        ctx->Violate("session", key,
                     "read of " + key + " returned \"" + *op.value +
                         "\", a value no write had written (or was writing) by then",
                     {oi});
      }
    }
  }
}

}  // namespace

void CheckSessions(Context* ctx) {
  std::map<std::string, std::vector<size_t>> by_session;
  for (size_t i = 0; i < ctx->history.ops.size(); ++i) {
    const Op& op = ctx->history.ops[i];
    if (op.type == OpType::kWatchEvent || op.type == OpType::kExpire) continue;
    by_session[op.session].push_back(i);
  }
  for (auto& [session, ops] : by_session) CheckSession(ctx, session, std::move(ops));
  CheckReadOrigins(ctx);
}

}  // namespace zkcheck
