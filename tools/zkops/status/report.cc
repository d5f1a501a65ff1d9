#include "status/report.h"

namespace zkops::status {

const char* StateName(State state) {
  switch (state) {
    case State::kDown: return "down";
    case State::kNoAnswer: return "no answer";
    case State::kUnrecognised: return "unrecognised";
    case State::kNotServing: return "not serving";
    case State::kFourLwDisabled: return "4lw disabled";
    case State::kLeader: return "leader";
    case State::kFollower: return "follower";
    case State::kObserver: return "observer";
    case State::kStandalone: return "standalone";
    case State::kReadOnly: return "read-only";
  }
  return "?";
}

bool IsServing(State state) {
  return state == State::kLeader || state == State::kFollower || state == State::kObserver ||
         state == State::kStandalone || state == State::kReadOnly;
}

bool IsUnreachable(State state) { return state == State::kDown || state == State::kNoAnswer; }

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kHealthy: return "healthy";
    case Verdict::kDegraded: return "degraded";
    case Verdict::kNoQuorum: return "no-quorum";
    case Verdict::kInconsistent: return "inconsistent";
    case Verdict::kUnreachable: return "unreachable";
  }
  return "?";
}

}  // namespace zkops::status
