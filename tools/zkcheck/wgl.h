// Linearizability of one znode's history: the Wing & Gong search with Lowe's just-in-time
// linearization and memoization ("Testing for linearizability", Lowe 2017). An op is
// linearized only when it is minimal (nothing still open returned before it was invoked);
// a configuration (set of linearized ops, model state) is explored at most once.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "register_model.h"

namespace zkcheck {

enum class SearchVerdict { kLinearizable, kNotLinearizable, kUndecided };

struct SearchLimits {
  uint64_t max_states = 2'000'000;  // configurations memoized before giving up
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct SearchResult {
  SearchVerdict verdict = SearchVerdict::kUndecided;
  uint64_t states = 0;  // configurations explored
  // kNotLinearizable: the op (index into the input) whose return the deepest attempt could
  // not reach, i.e. where every ordering got stuck; -1 otherwise.
  int blocking_op = -1;
};

// Searches for a linearization of `ops` from `initial`. Ops with complete_time == kNever
// (info) may take effect at any point after their invocation or never. The set of linearized
// ops is memoized as a 128-bit Zobrist hash (collisions are ~2^-100 at the state budget), so
// memory is O(states) whatever the history length.
SearchResult SearchLinearization(const std::vector<RegOp>& ops, const ZnodeState& initial,
                                 const SearchLimits& limits);

}  // namespace zkcheck
