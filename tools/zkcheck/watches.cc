// (e) Data watches (ZooKeeper Programmer's Guide, "ZooKeeper Watches"): a watch is one-time,
// set by a read, and fires once on the first change after it; a client sees the event
// before it sees the new data. Per (session, znode), in time order:
//  - an event with no watch pending is doubled or spurious;
//  - an event must follow some change after the data the watch was set on;
//  - a read returning newer data while the watch is still pending saw the data first;
//  - a watch still pending at the end although a change after it was acknowledged lost its
//    event (unless the session ended: its watches go with it).
// NodeChildrenChanged events belong to child watches, which the history does not set.
#include <algorithm>

#include "context.h"

namespace zkcheck {
namespace {

struct Item {
  int64_t time;
  int line;
  size_t op;
};

struct Pending {
  bool armed = false;
  bool reported = false;
  size_t reg_op = 0;
  bool exists = true;
  int64_t zxid = kUnknown;
  int64_t version = kUnknown;
};

// Whether `op` (a read) returned data newer than what the watch was set on.
bool Newer(const Pending& p, const Op& op) {
  if (!p.exists) return op.exists;
  if (!op.exists) return true;
  if (p.zxid != kUnknown && op.zxid != kUnknown) return op.zxid > p.zxid;
  return p.version != kUnknown && op.version != kUnknown && op.version > p.version;
}

// An acknowledged change to `key` after the watched data, if the history proves one.
std::optional<size_t> DefiniteChange(const Context& ctx, const std::string& key,
                                     const Pending& p) {
  if (p.zxid != kUnknown) {
    int64_t next = ctx.NextChange(key, p.zxid);
    if (next != kNever) return ctx.OpOfChange(key, next);
    return std::nullopt;
  }
  auto it = ctx.keys.find(key);
  if (it == ctx.keys.end()) return std::nullopt;
  for (size_t ei : it->second.effects) {
    const Effect& e = ctx.effects[ei];
    if (e.outcome != Outcome::kOk || e.type == OpType::kCheck) continue;
    if (!p.exists && (e.type == OpType::kCreate || e.type == OpType::kCreateSeq)) return e.op;
    if (p.exists && p.version != kUnknown && e.version > p.version) return e.op;
  }
  return std::nullopt;
}

// Whether some change to `key` may have happened after the watched data and before `time`.
bool PossibleChange(const Context& ctx, const std::string& key, const Pending& p,
                    int64_t time) {
  auto it = ctx.keys.find(key);
  if (it == ctx.keys.end()) return false;
  if (it->second.ephemeral) return true;  // a session end deletes it without an op
  const Op& reg = ctx.history.ops[p.reg_op];
  for (size_t ei : it->second.effects) {
    const Effect& e = ctx.effects[ei];
    if (e.outcome == Outcome::kFail || e.type == OpType::kCheck || e.invoke_time >= time) {
      continue;
    }
    if (e.zxid != kUnknown && p.zxid != kUnknown) {
      if (e.zxid > p.zxid) return true;
    } else if (e.complete_time > reg.invoke_time) {
      return true;
    }
  }
  return false;
}

}  // namespace

void CheckWatches(Context* ctx) {
  const History& h = ctx->history;
  std::map<std::pair<std::string, std::string>, std::vector<Item>> timelines;
  std::map<std::string, std::vector<Item>> ends;
  for (size_t i = 0; i < h.ops.size(); ++i) {
    const Op& op = h.ops[i];
    if (op.outcome != Outcome::kOk) continue;
    bool read = op.type == OpType::kRead || op.type == OpType::kSyncRead;
    if (op.type == OpType::kWatchEvent && op.event != "NodeChildrenChanged") {
      timelines[{op.session, op.key}].push_back({op.complete_time, op.complete_line, i});
    } else if (read) {
      timelines[{op.session, op.key}].push_back({op.complete_time, op.complete_line, i});
    } else if (op.type == OpType::kClose) {
      // Events may still arrive while the close is in flight.
      ends[op.session].push_back({op.complete_time, op.complete_line, i});
    } else if (op.type == OpType::kExpire) {
      ends[op.session].push_back({op.invoke_time, op.invoke_line, i});
    }
  }
  for (auto& [sk, items] : timelines) {
    const auto& [session, key] = sk;
    bool any_watch = false;
    for (const Item& it : items) {
      const Op& op = h.ops[it.op];
      any_watch |= op.watch || op.type == OpType::kWatchEvent;
    }
    if (!any_watch) continue;
    for (const Item& e : ends[session]) items.push_back(e);
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return a.time != b.time ? a.time < b.time : a.line < b.line;
    });
    Pending p;
    size_t last_event = 0;
    bool had_event = false;
    for (const Item& it : items) {
      const Op& op = h.ops[it.op];
      if (op.type == OpType::kClose || op.type == OpType::kExpire) {
        p.armed = false;
        continue;
      }
      if (op.type == OpType::kWatchEvent) {
        if (!p.armed) {
          std::vector<size_t> window = {it.op};
          if (had_event) window.push_back(last_event);
          ctx->Violate("watch", key,
                       "session " + session + " got a " + op.event + " event for " + key +
                           " with no watch pending (a doubled or spurious event)",
                       std::move(window));
        } else if (!PossibleChange(*ctx, key, p, op.complete_time)) {
          ctx->Violate("watch", key,
                       "session " + session + " got a " + op.event + " event for " + key +
                           " but nothing changed it after the watch was set",
                       {p.reg_op, it.op});
        }
        p.armed = false;
        last_event = it.op;
        had_event = true;
        continue;
      }
      if (p.armed && !p.reported && ctx->options.watch_order && Newer(p, op)) {
        ctx->Violate("watch", key,
                     "session " + session + " read newer data of " + key +
                         " before getting the event of the watch it had set",
                     {p.reg_op, it.op});
        p.reported = true;
      }
      if (op.watch && !p.armed) {
        p = Pending{true, false, it.op, op.exists, op.exists ? op.zxid : kUnknown,
                    op.exists ? op.version : kUnknown};
      }
    }
    if (p.armed && !p.reported) {
      if (std::optional<size_t> change = DefiniteChange(*ctx, key, p)) {
        ctx->Violate("watch", key,
                     "session " + session + " never got the event for its watch on " + key +
                         " although a later change was acknowledged",
                     {p.reg_op, *change});
      }
    }
  }
}

}  // namespace zkcheck
