// The ensemble verdict: who leads, how far each server lags, whether a quorum serves and how
// many more failures it survives. Pure functions over ServerReports.
#pragma once

#include <cstdint>
#include <vector>

#include "status/report.h"

namespace zkops::status {

// A zxid is epoch << 32 | counter (ZxidUtils). Lag in transactions only means something
// within one epoch: a new leader restarts the counter.
inline uint32_t ZxidEpoch(uint64_t zxid) { return static_cast<uint32_t>(zxid >> 32); }
inline uint32_t ZxidCounter(uint64_t zxid) { return static_cast<uint32_t>(zxid); }

struct Lag {
  enum class Kind { kSameEpoch, kEpochBehind, kEpochAhead };
  Kind kind = Kind::kSameEpoch;
  // kSameEpoch: leader counter - server counter, 0 when the server is (momentarily) ahead:
  // the two srvr answers were taken at slightly different times.
  uint64_t transactions = 0;
};
Lag ComputeLag(uint64_t leader_zxid, uint64_t zxid);

// Fills every server's lag (against the one leader, when there is exactly one) and judges
// the ensemble. Voters come from conf's membership when any server showed it, else from the
// probed list (every probed server not seen as an observer). Verdict rules, in order:
//   every server unreachable (down / no answer)                      -> kUnreachable
//   more than one leader; a standalone server among several; two
//   servers claiming the same id                                      -> kInconsistent
//   fewer serving voters (leader + followers) than voters / 2 + 1     -> kNoQuorum
//   a quorum serves, but some server is not serving, unknown, or
//   a voter was not probed, or no leader was among the probed         -> kDegraded
//   otherwise                                                         -> kHealthy
EnsembleStatus Assess(std::vector<ServerReport> servers);

}  // namespace zkops::status
