// (g) After the faults heal: every server holds the same tree (digests equal), and every
// acknowledged write is in it (its data, or something written after it). Sequential names
// and multi are judged in sequential.cc and multi.cc; ephemerals in ephemerals.cc.
#include <Poco/SHA1Engine.h>

#include <algorithm>

#include "context.h"

namespace zkcheck {
namespace {

// A digest of the nodes a snapshot lists: SHA-1 over path, data, version in path order.
std::string NodesDigest(const FinalSnapshot& snap) {
  Poco::SHA1Engine sha;
  for (const auto& [path, node] : snap.nodes) {
    std::string line = path + '\0' + node.value + '\0' + std::to_string(node.version) + '\n';
    sha.update(line);
  }
  return "sha1:" + Poco::DigestEngine::digestToHex(sha.digest());
}

std::string NodeText(const FinalNode& n) {
  std::string s = "\"" + n.value + "\" version " + std::to_string(n.version);
  if (n.mzxid != kUnknown) s += " mzxid " + Hex(n.mzxid);
  if (!n.ephemeral_owner.empty()) s += " owner " + n.ephemeral_owner;
  return s;
}

void CompareServers(Context* ctx) {
  const std::vector<FinalSnapshot>& finals = ctx->history.finals;
  const FinalSnapshot* digest_ref = nullptr;
  const FinalSnapshot* nodes_ref = nullptr;
  for (const FinalSnapshot& snap : finals) {
    if (snap.digest) {
      if (!digest_ref) {
        digest_ref = &snap;
      } else if (*snap.digest != *digest_ref->digest) {
        ctx->Violate("final", "digest",
                     "final tree digests differ: server " + digest_ref->server + " has " +
                         *digest_ref->digest + ", server " + snap.server + " has " +
                         *snap.digest,
                     {});
      }
    }
    if (!snap.has_nodes) continue;
    if (!nodes_ref) {
      nodes_ref = &snap;
      continue;
    }
    if (NodesDigest(snap) == NodesDigest(*nodes_ref)) continue;
    // Name the first few paths that differ.
    std::string diff;
    int shown = 0;
    auto describe = [&](const std::string& path) {
      auto a = nodes_ref->nodes.find(path);
      auto b = snap.nodes.find(path);
      diff += "\n  " + path + ": server " + nodes_ref->server + " " +
              (a == nodes_ref->nodes.end() ? "absent" : NodeText(a->second)) + ", server " +
              snap.server + " " + (b == snap.nodes.end() ? "absent" : NodeText(b->second));
    };
    for (const auto& [path, node] : nodes_ref->nodes) {
      auto b = snap.nodes.find(path);
      if (shown < 5 && (b == snap.nodes.end() || b->second.value != node.value ||
                        b->second.version != node.version)) {
        describe(path);
        ++shown;
      }
    }
    for (const auto& [path, node] : snap.nodes) {
      if (shown < 5 && nodes_ref->nodes.count(path) == 0) {
        describe(path);
        ++shown;
      }
    }
    ctx->Violate("final", "digest",
                 "final trees differ between server " + nodes_ref->server + " (" +
                     NodesDigest(*nodes_ref) + ") and server " + snap.server + " (" +
                     NodesDigest(snap) + "):" + diff,
                 {});
  }
}

// Whether an effect other than `self` on the same znode may have come after it.
bool Superseded(const Context& ctx, const KeyInfo& info, size_t self, bool deletes_only) {
  const Effect& me = ctx.effects[self];
  for (size_t ei : info.effects) {
    const Effect& e = ctx.effects[ei];
    if (ei == self || e.outcome == Outcome::kFail || e.type == OpType::kCheck) continue;
    if (deletes_only && e.type != OpType::kDelete) continue;
    if (e.zxid != kUnknown && me.zxid != kUnknown) {
      if (e.zxid > me.zxid) return true;
    } else if (e.complete_time > me.invoke_time) {
      return true;
    }
  }
  return false;
}

void CheckDurability(Context* ctx) {
  for (const FinalSnapshot& snap : ctx->history.finals) {
    if (!snap.has_nodes) continue;
    for (const auto& [key, info] : ctx->keys) {
      if (info.ephemeral || info.sequential) continue;
      for (auto it = info.effects.rbegin(); it != info.effects.rend(); ++it) {
        const Effect& e = ctx->effects[*it];
        if (e.outcome != Outcome::kOk || e.sub != -1) continue;
        if (e.type != OpType::kWrite && e.type != OpType::kCas && e.type != OpType::kCreate) {
          continue;
        }
        auto node = snap.nodes.find(key);
        std::string lost;
        if (node == snap.nodes.end()) {
          if (!Superseded(*ctx, info, *it, /*deletes_only=*/true)) lost = "the node is absent";
        } else {
          const FinalNode& n = node->second;
          if (e.zxid != kUnknown && n.mzxid != kUnknown) {
            if (n.mzxid < e.zxid || (n.mzxid == e.zxid && e.value && n.value != *e.value)) {
              lost = "the node holds " + NodeText(n);
            }
          } else if (e.version != kUnknown && n.version != kUnknown && !info.has_delete) {
            if (n.version < e.version ||
                (n.version == e.version && e.value && n.value != *e.value)) {
              lost = "the node holds " + NodeText(n);
            }
          } else if (e.value && n.value != *e.value &&
                     !Superseded(*ctx, info, *it, /*deletes_only=*/false)) {
            lost = "the node holds " + NodeText(n);
          }
        }
        if (lost.empty()) continue;
        std::string what = std::string(OpTypeName(e.type)) + " of " + key;
        if (e.value) what += " = \"" + *e.value + "\"";
        if (e.zxid != kUnknown) what += " at zxid " + Hex(e.zxid);
        ctx->Violate("final", key,
                     "acknowledged " + what + " is lost on server " + snap.server + ": " + lost,
                     {e.op});
        break;  // one per znode and server: the latest lost write
      }
    }
  }
}

}  // namespace

void CheckFinalState(Context* ctx) {
  CompareServers(ctx);
  CheckDurability(ctx);
}

}  // namespace zkcheck
