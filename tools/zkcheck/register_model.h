// The sequential specification of one znode used by the linearizability search: the node is
// (exists, data, version, mzxid). Any component may be unknown (-1), meaning "any value":
// an observation pins it, so a state with unknowns stands for the set of states it allows.
// That is how an undeclared initial state (or one the shrinker folded away) is modelled.
#pragma once

#include <cstdint>

#include "history.h"

namespace zkcheck {

struct ZnodeState {
  int8_t exists = -1;    // -1 unknown, 0 absent, 1 present
  int32_t value = -1;    // interned data, -1 unknown (or absent)
  int64_t version = -1;  // ZooKeeper's data version (Stat.version), -1 unknown
  int64_t mzxid = -1;    // zxid of the last change, -1 unknown

  bool operator==(const ZnodeState&) const = default;
  // Two independent 64-bit mixes of the state, combined with the search's Zobrist hashes.
  uint64_t Hash(uint64_t seed) const;
};

enum class RegKind : uint8_t { kRead, kWrite, kCas, kCreate, kDelete, kCheck };

// How a definite failure constrains the state (ZooKeeper error codes); other failures are
// dropped before the search since they had no effect and say nothing about the state.
enum class FailKind : uint8_t { kNone, kBadVersion, kNoNode, kNodeExists };

// One operation on one znode, as the search sees it.
struct RegOp {
  RegKind kind = RegKind::kRead;
  Outcome outcome = Outcome::kOk;  // ok: took effect; info: may or may not; fail: no effect
  FailKind fail = FailKind::kNone;
  bool read_exists = true;  // read: whether the node existed
  int32_t value = -1;       // written data, or data read (-1: not given)
  int64_t expected_version = kUnknown;
  int64_t version = kUnknown;  // ok: version after the write / version read
  int64_t zxid = kUnknown;     // ok: zxid of the write / mzxid read
  int64_t invoke_time = 0;
  int64_t complete_time = kNever;  // kNever: no return event (info)
  int invoke_line = 0;             // tie-break for equal times: history order
  int complete_line = 0;
  size_t op_index = 0;  // index in History::ops
};

// Applies `op` to `state` as if it took effect (ok, info) or failed (fail) at this point.
// Returns false when that is impossible (the op's observed result contradicts the state).
// REQUIRES: next != nullptr.
bool Step(const ZnodeState& state, const RegOp& op, ZnodeState* next);

}  // namespace zkcheck
