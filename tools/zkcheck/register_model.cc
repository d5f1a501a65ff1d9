// ZooKeeper znode semantics for the search (DataTree.java behaviour): setData bumps the data
// version by one, a versioned setData/delete fails with BadVersion unless the version
// matches, create starts at version 0, every change gets a larger zxid than the last one.
#include "register_model.h"

namespace zkcheck {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool PinExists(ZnodeState* s, bool exists) {
  if (s->exists == -1) {
    s->exists = exists ? 1 : 0;
  } else if (s->exists != (exists ? 1 : 0)) {
    return false;
  }
  if (!exists) *s = ZnodeState{0, -1, -1, -1};
  return true;
}

bool PinVersion(ZnodeState* s, int64_t version) {
  if (version == kUnknown) return true;
  if (s->version == kUnknown) {
    s->version = version;
    return true;
  }
  return s->version == version;
}

// setData as an update of a present node: version + 1, new data, new mzxid.
bool ApplySet(const ZnodeState& s, const RegOp& op, ZnodeState* next) {
  int64_t version = s.version == kUnknown ? kUnknown : s.version + 1;
  if (op.version != kUnknown) {
    if (version != kUnknown && version != op.version) return false;
    version = op.version;
  }
  if (op.zxid != kUnknown && s.mzxid != kUnknown && op.zxid <= s.mzxid) return false;
  *next = ZnodeState{1, op.value, version, op.zxid};
  return true;
}

}  // namespace

uint64_t ZnodeState::Hash(uint64_t seed) const {
  uint64_t h = Mix(seed ^ static_cast<uint64_t>(exists + 2));
  h = Mix(h ^ static_cast<uint64_t>(static_cast<uint32_t>(value)));
  h = Mix(h ^ static_cast<uint64_t>(version));
  return Mix(h ^ static_cast<uint64_t>(mzxid));
}

bool Step(const ZnodeState& state, const RegOp& op, ZnodeState* next) {
  ZnodeState s = state;
  bool failed = op.outcome == Outcome::kFail;
  switch (op.kind) {
    case RegKind::kRead:
      if (!PinExists(&s, op.read_exists)) return false;
      if (op.read_exists) {
        if (op.value != -1) {
          if (s.value != -1 && s.value != op.value) return false;
          s.value = op.value;
        }
        if (!PinVersion(&s, op.version)) return false;
        if (op.zxid != kUnknown) {
          if (s.mzxid != kUnknown && s.mzxid != op.zxid) return false;
          s.mzxid = op.zxid;
        }
      }
      *next = s;
      return true;
    case RegKind::kCheck:
      if (!PinExists(&s, true) || !PinVersion(&s, op.expected_version)) return false;
      *next = s;
      return true;
    case RegKind::kWrite:
    case RegKind::kCas:
      if (failed) {
        if (op.fail == FailKind::kNoNode) {
          if (!PinExists(&s, false)) return false;
        } else {  // BadVersion: present with another version
          if (!PinExists(&s, true)) return false;
          if (s.version != kUnknown && s.version == op.expected_version) return false;
        }
        *next = s;
        return true;
      }
      if (!PinExists(&s, true)) return false;
      if (op.kind == RegKind::kCas && !PinVersion(&s, op.expected_version)) return false;
      return ApplySet(s, op, next);
    case RegKind::kCreate:
      if (failed) {  // NodeExists
        if (!PinExists(&s, true)) return false;
        *next = s;
        return true;
      }
      if (!PinExists(&s, false)) return false;
      if (op.version != kUnknown && op.version != 0) return false;
      *next = ZnodeState{1, op.value, 0, op.zxid};
      return true;
    case RegKind::kDelete:
      if (failed) {
        if (op.fail == FailKind::kNoNode) {
          if (!PinExists(&s, false)) return false;
        } else {
          if (!PinExists(&s, true)) return false;
          if (s.version != kUnknown && s.version == op.expected_version) return false;
        }
        *next = s;
        return true;
      }
      if (!PinExists(&s, true)) return false;
      if (op.expected_version != kUnknown && !PinVersion(&s, op.expected_version)) return false;
      if (op.zxid != kUnknown && s.mzxid != kUnknown && op.zxid <= s.mzxid) return false;
      *next = ZnodeState{0, -1, -1, -1};
      return true;
  }
  return false;
}

}  // namespace zkcheck
