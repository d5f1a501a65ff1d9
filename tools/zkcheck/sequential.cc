// (c) Sequential creates under one parent (ZooKeeper Programmer's Guide, "Sequence Nodes":
// the counter is the parent's, formatted %010d, and increases with each create). Every
// acknowledged name is unique, numbers increase in zxid order and in real-time order, and no
// acknowledged name is missing from the final state unless something deleted it.
#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "context.h"

namespace zkcheck {
namespace {

struct SeqCreate {
  size_t op;
  std::string parent;  // the prefix's directory
  int64_t seq;
  int64_t zxid;
  int64_t invoke, complete;
};

bool SequenceNumber(const std::string& prefix, const std::string& path, int64_t* seq) {
  if (path.size() < 10 || path.compare(0, prefix.size(), prefix) != 0) return false;
  std::string digits = path.substr(path.size() - 10);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return false;
  *seq = std::strtoll(digits.c_str(), nullptr, 10);
  return true;
}

std::string Parent(const std::string& prefix) {
  size_t slash = prefix.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : prefix.substr(0, slash);
}

}  // namespace

void CheckSequential(Context* ctx) {
  const History& h = ctx->history;
  std::map<std::string, std::vector<SeqCreate>> by_parent;
  std::unordered_map<std::string, size_t> names;
  for (size_t i = 0; i < h.ops.size(); ++i) {
    const Op& op = h.ops[i];
    if (op.type != OpType::kCreateSeq || op.outcome != Outcome::kOk) continue;
    int64_t seq = 0;
    if (!SequenceNumber(op.key, op.path, &seq)) {
      ctx->Violate("sequential", op.key,
                   "create_seq with prefix " + op.key + " returned \"" + op.path +
                       "\", not the prefix followed by a 10-digit sequence number",
                   {i});
      continue;
    }
    auto [it, inserted] = names.emplace(op.path, i);
    if (!inserted) {
      ctx->Violate("sequential", op.path,
                   "sequential name " + op.path + " was acknowledged to two creates",
                   {it->second, i});
      continue;
    }
    by_parent[Parent(op.key)].push_back(
        {i, Parent(op.key), seq, op.zxid, op.invoke_time, op.complete_time});
  }
  for (auto& [parent, creates] : by_parent) {
    // In zxid order, the parent's counter only grows.
    std::vector<const SeqCreate*> by_zxid;
    for (const SeqCreate& c : creates) {
      if (c.zxid != kUnknown) by_zxid.push_back(&c);
    }
    std::sort(by_zxid.begin(), by_zxid.end(),
              [](const SeqCreate* a, const SeqCreate* b) { return a->zxid < b->zxid; });
    for (size_t k = 1; k < by_zxid.size(); ++k) {
      if (by_zxid[k]->seq <= by_zxid[k - 1]->seq) {
        ctx->Violate("sequential", parent,
                     "sequence numbers under " + parent + " do not increase in zxid order: " +
                         h.ops[by_zxid[k - 1]->op].path + " at " + Hex(by_zxid[k - 1]->zxid) +
                         ", then " + h.ops[by_zxid[k]->op].path + " at " +
                         Hex(by_zxid[k]->zxid),
                     {by_zxid[k - 1]->op, by_zxid[k]->op});
      }
    }
    // In real time: a create that returned before another was invoked has a smaller number.
    std::vector<const SeqCreate*> by_complete, by_invoke;
    for (const SeqCreate& c : creates) {
      by_complete.push_back(&c);
      by_invoke.push_back(&c);
    }
    std::sort(by_complete.begin(), by_complete.end(),
              [](const SeqCreate* a, const SeqCreate* b) { return a->complete < b->complete; });
    std::sort(by_invoke.begin(), by_invoke.end(),
              [](const SeqCreate* a, const SeqCreate* b) { return a->invoke < b->invoke; });
    const SeqCreate* max_done = nullptr;
    size_t d = 0;
    for (const SeqCreate* c : by_invoke) {
      while (d < by_complete.size() && by_complete[d]->complete < c->invoke) {
        if (!max_done || by_complete[d]->seq > max_done->seq) max_done = by_complete[d];
        ++d;
      }
      if (max_done && c->seq <= max_done->seq) {
        ctx->Violate("sequential", parent,
                     "create_seq returned " + h.ops[c->op].path + " although " +
                         h.ops[max_done->op].path + " had been acknowledged before it began",
                     {max_done->op, c->op});
      }
    }
  }
  // None lost: each acknowledged persistent name is in every server's final tree, unless a
  // delete of it may have happened.
  for (const FinalSnapshot& snap : h.finals) {
    if (!snap.has_nodes) continue;
    for (const auto& [path, op_index] : names) {
      const Op& op = h.ops[op_index];
      if (op.ephemeral || snap.nodes.count(path) != 0) continue;
      if (ctx->keys[path].has_delete) continue;
      ctx->Violate("sequential", path,
                   "acknowledged sequential node " + path + " is missing from server " +
                       snap.server + "'s final state",
                   {op_index});
    }
  }
}

}  // namespace zkcheck
