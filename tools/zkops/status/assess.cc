#include "status/assess.h"

#include <algorithm>
#include <map>
#include <string>

namespace zkops::status {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string Plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

void FillLags(EnsembleStatus* s, const ServerReport* leader) {
  for (ServerReport& r : s->servers) {
    if (!r.zxid || !IsServing(r.state) || leader == nullptr || !leader->zxid) continue;
    Lag lag = ComputeLag(*leader->zxid, *r.zxid);
    switch (lag.kind) {
      case Lag::Kind::kSameEpoch:
        r.lag = lag.transactions;
        r.lag_text = std::to_string(lag.transactions);
        break;
      case Lag::Kind::kEpochBehind:
        r.lag_text = "epoch behind";
        break;
      case Lag::Kind::kEpochAhead:
        r.lag_text = "epoch ahead";
        s->notes.push_back(r.name + " is on a newer epoch than leader " + leader->name +
                           ": that leader may be stale");
        break;
    }
  }
}

}  // namespace

Lag ComputeLag(uint64_t leader_zxid, uint64_t zxid) {
  Lag lag;
  if (ZxidEpoch(zxid) < ZxidEpoch(leader_zxid)) {
    lag.kind = Lag::Kind::kEpochBehind;
  } else if (ZxidEpoch(zxid) > ZxidEpoch(leader_zxid)) {
    lag.kind = Lag::Kind::kEpochAhead;
  } else {
    lag.transactions = ZxidCounter(leader_zxid) > ZxidCounter(zxid)
                           ? ZxidCounter(leader_zxid) - ZxidCounter(zxid)
                           : 0;
  }
  return lag;
}

EnsembleStatus Assess(std::vector<ServerReport> servers) {
  EnsembleStatus s;
  s.servers = std::move(servers);
  const int probed = static_cast<int>(s.servers.size());

  std::vector<std::string> unreachable, standalones, followers, not_serving, unknown;
  const ServerReport* leader = nullptr;
  int probed_observers = 0;
  int conf_voters = 0;
  for (const ServerReport& r : s.servers) {
    if (r.conf_voters) conf_voters = std::max(conf_voters, *r.conf_voters);
    switch (r.state) {
      case State::kLeader:
        s.leaders.push_back(r.name);
        leader = &r;
        break;
      case State::kFollower: followers.push_back(r.name); break;
      case State::kStandalone: standalones.push_back(r.name); break;
      case State::kObserver: ++probed_observers; break;
      case State::kDown:
      case State::kNoAnswer:
        unreachable.push_back(r.name + " " + StateName(r.state));
        break;
      case State::kNotServing:
      case State::kReadOnly:
        not_serving.push_back(r.name + " " + StateName(r.state));
        break;
      case State::kFourLwDisabled:
      case State::kUnrecognised:
        unknown.push_back(r.name + " " + StateName(r.state));
        break;
    }
  }

  // Voters: conf's membership is authoritative; without it, the probed list.
  if (conf_voters > 0) {
    s.voters = conf_voters;
    s.voters_source = "conf";
  } else {
    s.voters = std::max(1, probed - probed_observers);
    s.voters_source = "servers";
  }
  const bool lone_standalone = probed == 1 && standalones.size() == 1;
  if (lone_standalone) s.voters = 1;
  s.quorum = s.voters / 2 + 1;  // QuorumMaj: more than half
  s.serving_voters = static_cast<int>(s.leaders.size() + followers.size()) +
                     (lone_standalone ? 1 : 0);
  s.tolerated_failures = s.serving_voters - s.quorum;
  FillLags(&s, s.leaders.size() == 1 ? leader : nullptr);

  auto tolerance = [&s]() {
    int t = std::max(0, s.tolerated_failures);
    return "tolerates " + Plural(t, "more failure", "more failures");
  };

  if (static_cast<int>(unreachable.size()) == probed) {
    s.verdict = Verdict::kUnreachable;
    s.summary = "no server could be reached: " + JoinNames(unreachable);
    return s;
  }
  if (s.leaders.size() > 1) {
    s.verdict = Verdict::kInconsistent;
    s.summary = Plural(static_cast<int>(s.leaders.size()), "leader", "leaders") + " (" +
                JoinNames(s.leaders) + "): split brain, or servers of different ensembles";
    return s;
  }
  if (!standalones.empty() && probed > 1) {
    s.verdict = Verdict::kInconsistent;
    s.summary = standalones.size() == 1
                    ? standalones[0] + " runs standalone but is listed with " +
                          Plural(probed - 1, "other server", "other servers")
                    : Plural(static_cast<int>(standalones.size()), "standalone server",
                             "standalone servers") +
                          " (" + JoinNames(standalones) + "): each is its own ensemble";
    return s;
  }
  std::map<int64_t, std::vector<std::string>> by_id;
  for (const ServerReport& r : s.servers) {
    if (r.server_id && r.conf_voters) {
      by_id[*r.server_id].push_back(r.name + " " + r.target.Address());
    }
  }
  for (const auto& [id, names] : by_id) {
    if (names.size() > 1) {
      s.verdict = Verdict::kInconsistent;
      s.summary = "servers claim the same id " + std::to_string(id) + ": " + JoinNames(names);
      return s;
    }
  }

  if (s.serving_voters < s.quorum) {
    s.verdict = Verdict::kNoQuorum;
    s.summary = "no quorum: " + std::to_string(s.serving_voters) + " of " +
                Plural(s.voters, "voter", "voters") + " serving, " + std::to_string(s.quorum) +
                " needed";
    if (!unknown.empty()) {
      s.notes.push_back("could not ask " + JoinNames(unknown) +
                        ": they may serve (give host:port:adminport)");
    }
    return s;
  }

  std::vector<std::string> problems;
  problems.insert(problems.end(), unreachable.begin(), unreachable.end());
  problems.insert(problems.end(), not_serving.begin(), not_serving.end());
  problems.insert(problems.end(), unknown.begin(), unknown.end());
  const int probed_voters = probed - probed_observers;
  if (s.voters_source == "conf" && s.voters > probed_voters) {
    problems.push_back(Plural(s.voters - probed_voters, "voter", "voters") +
                       " of the membership not probed");
  }
  if (s.leaders.empty() && !lone_standalone) {
    problems.push_back("no leader among the probed servers");
  }

  std::string shape;
  if (lone_standalone) {
    shape = "standalone server " + standalones[0];
  } else {
    shape = (s.leaders.empty() ? std::string("no leader seen") : "leader " + s.leaders[0]) +
            ", " + Plural(static_cast<int>(followers.size()), "follower", "followers");
    if (probed_observers > 0) {
      shape += ", " + Plural(probed_observers, "observer", "observers");
    }
  }
  const std::string quorum_text = std::to_string(s.serving_voters) + " of " +
                                  Plural(s.voters, "voter", "voters") + " serving (quorum " +
                                  std::to_string(s.quorum) + ")";
  if (problems.empty()) {
    s.verdict = Verdict::kHealthy;
    s.summary = (lone_standalone ? "healthy: " : "quorum healthy: ") + shape + "; " +
                quorum_text + "; " + tolerance();
  } else {
    s.verdict = Verdict::kDegraded;
    s.summary = "degraded, quorum holds: " + JoinNames(problems) + "; " + shape + "; " +
                quorum_text + "; " + tolerance();
  }
  return s;
}

}  // namespace zkops::status
