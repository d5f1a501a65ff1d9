// The search runs over a doubly linked list of call/return entries sorted by time. Walking
// from the head, a call entry is a candidate to linearize next; reaching a return entry of an
// op not yet linearized means the current prefix is a dead end, so the last choice is undone
// (Lowe 2017, §3). Reaching the end of the list with only info calls left is success: those
// ops simply never took effect.
#include "wgl.h"

#include <algorithm>
#include <set>
#include <unordered_set>

namespace zkcheck {
namespace {

struct Key128 {
  uint64_t a, b;
  bool operator==(const Key128&) const = default;
};

struct Key128Hash {
  size_t operator()(const Key128& k) const { return static_cast<size_t>(k.a ^ (k.b * 31)); }
};

uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Entry {
  int op;
  bool call;
  int64_t time;
  int line;
};

}  // namespace

SearchResult SearchLinearization(const std::vector<RegOp>& ops, const ZnodeState& initial,
                                 const SearchLimits& limits) {
  SearchResult result;
  const int n = static_cast<int>(ops.size());
  std::vector<Entry> entries;
  entries.reserve(2 * n);
  for (int i = 0; i < n; ++i) {
    entries.push_back({i, true, ops[i].invoke_time, ops[i].invoke_line});
    if (ops[i].complete_time != kNever) {
      entries.push_back({i, false, ops[i].complete_time, ops[i].complete_line});
    }
  }
  // Equal times keep history order; a call and a return at the same time and line cannot
  // happen (they are different lines), so the order is total.
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
    if (x.time != y.time) return x.time < y.time;
    if (x.line != y.line) return x.line < y.line;
    return x.call && !y.call;
  });

  // Node 0 is the head sentinel, node m+1 the tail; entry i is node i+1.
  const int m = static_cast<int>(entries.size());
  const int tail = m + 1;
  std::vector<int> next(m + 2), prev(m + 2);
  for (int i = 0; i <= m; ++i) {
    next[i] = i + 1;
    prev[i + 1] = i;
  }
  std::vector<int> call_node(n, -1), return_node(n, -1);
  for (int i = 0; i < m; ++i) {
    (entries[i].call ? call_node : return_node)[entries[i].op] = i + 1;
  }
  auto unlink = [&](int node) {
    next[prev[node]] = next[node];
    prev[next[node]] = prev[node];
  };
  auto relink = [&](int node) {
    next[prev[node]] = node;
    prev[next[node]] = node;
  };

  std::vector<Key128> zobrist(n);
  uint64_t seed = 0x5eed5eed12345678ULL;
  for (int i = 0; i < n; ++i) zobrist[i] = {SplitMix(&seed), SplitMix(&seed)};

  // Pruning (sound because versions and zxids only grow along a linearization): an op that
  // must still be linearized and reports version n (zxid z) needs the state's version at most
  // n - 1 for a change, n for a read (mzxid below z, at most z). A configuration whose state
  // is already past the smallest such bound is dead. Versions restart after a delete, so
  // version bounds are used only on znodes the history never deletes.
  bool use_versions = true;
  for (const RegOp& op : ops) {
    if (op.kind == RegKind::kDelete) use_versions = false;
  }
  constexpr int64_t kNoBound = -1;
  std::vector<int64_t> version_bound(n, kNoBound), zxid_bound(n, kNoBound);
  std::multiset<std::pair<int64_t, int>> version_bounds, zxid_bounds;
  for (int i = 0; i < n; ++i) {
    const RegOp& op = ops[i];
    if (op.complete_time == kNever || op.outcome != Outcome::kOk) continue;
    bool read = op.kind == RegKind::kRead || op.kind == RegKind::kCheck;
    if (use_versions) {
      if (op.kind == RegKind::kCheck && op.expected_version != kUnknown) {
        version_bound[i] = op.expected_version;
      } else if (op.version != kUnknown && op.kind != RegKind::kCreate) {
        version_bound[i] = read ? op.version : op.version - 1;
      }
    }
    if (op.zxid != kUnknown && op.kind != RegKind::kCheck) {
      zxid_bound[i] = read ? op.zxid : op.zxid - 1;
    }
    if (version_bound[i] != kNoBound) version_bounds.insert({version_bound[i], i});
    if (zxid_bound[i] != kNoBound) zxid_bounds.insert({zxid_bound[i], i});
  }
  auto take_bounds = [&](int op) {
    if (version_bound[op] != kNoBound) version_bounds.erase({version_bound[op], op});
    if (zxid_bound[op] != kNoBound) zxid_bounds.erase({zxid_bound[op], op});
  };
  auto give_bounds = [&](int op) {
    if (version_bound[op] != kNoBound) version_bounds.insert({version_bound[op], op});
    if (zxid_bound[op] != kNoBound) zxid_bounds.insert({zxid_bound[op], op});
  };
  // Returns the op whose bound the state is past (the latest to return of them: an old op
  // that is still pending is the likely stale one), or -1.
  auto dead = [&](const ZnodeState& st) {
    int worst = -1;
    auto scan = [&](const std::multiset<std::pair<int64_t, int>>& bounds, int64_t value) {
      if (value == kUnknown) return;
      for (auto it = bounds.begin(); it != bounds.end() && it->first < value; ++it) {
        if (worst == -1 || ops[it->second].complete_time > ops[worst].complete_time) {
          worst = it->second;
        }
      }
    };
    scan(version_bounds, st.version);
    scan(zxid_bounds, st.mzxid);
    return worst;
  };
  // The op whose bound cut the deepest configuration: where a violation shows, when pruning
  // (not a return entry) stops the search.
  int culprit = -1;
  size_t culprit_depth = 0;

  struct Frame {
    int op;
    ZnodeState before;
  };
  std::vector<Frame> stack;
  stack.reserve(n);
  std::unordered_set<Key128, Key128Hash> cache;
  ZnodeState state = initial;
  Key128 linearized{0, 0};
  size_t deepest = 0;
  uint64_t steps = 0;

  int node = next[0];
  while (true) {
    if ((++steps & 4095) == 0 && std::chrono::steady_clock::now() > limits.deadline) {
      result.verdict = SearchVerdict::kUndecided;
      return result;
    }
    if (node == tail) {
      result.verdict = SearchVerdict::kLinearizable;
      return result;
    }
    const Entry& e = entries[node - 1];
    if (e.call) {
      ZnodeState after;
      if (Step(state, ops[e.op], &after)) {
        Key128 with{linearized.a ^ zobrist[e.op].a, linearized.b ^ zobrist[e.op].b};
        Key128 key{with.a ^ after.Hash(1), with.b ^ after.Hash(2)};
        take_bounds(e.op);
        int cut = dead(after);
        if (cut != -1) {
          give_bounds(e.op);
          if (stack.size() + 1 >= culprit_depth) {
            culprit = cut;
            culprit_depth = stack.size() + 1;
          }
        } else if (!cache.insert(key).second) {
          give_bounds(e.op);
        } else {
          if (++result.states > limits.max_states) {
            result.verdict = SearchVerdict::kUndecided;
            return result;
          }
          stack.push_back({e.op, state});
          state = after;
          linearized = with;
          unlink(call_node[e.op]);
          if (return_node[e.op] != -1) unlink(return_node[e.op]);
          node = next[0];
          continue;
        }
      }
      node = next[node];
      continue;
    }
    // The return of an op not linearized yet: every order of the prefix is stuck here.
    if (stack.size() >= deepest) {
      deepest = stack.size();
      result.blocking_op = e.op;
    }
    if (stack.empty()) {
      result.verdict = SearchVerdict::kNotLinearizable;
      if (culprit != -1 && culprit_depth >= deepest &&
          (result.blocking_op == -1 ||
           ops[culprit].complete_time > ops[result.blocking_op].complete_time)) {
        result.blocking_op = culprit;
      }
      return result;
    }
    Frame f = stack.back();
    stack.pop_back();
    state = f.before;
    give_bounds(f.op);
    linearized.a ^= zobrist[f.op].a;
    linearized.b ^= zobrist[f.op].b;
    if (return_node[f.op] != -1) relink(return_node[f.op]);
    relink(call_node[f.op]);
    node = next[call_node[f.op]];
  }
}

}  // namespace zkcheck
