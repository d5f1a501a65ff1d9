// One seeded fault schedule of the deterministic simulation (issue 5, part 6): a 3- or
// 5-server ensemble of real ZkServers (raft election plugin, inproc transport, memory storage
// kept across restarts like a disk) on the fake clock of tests/integration/ensemble, a few
// SimWorkers recording a history, and a nemesis that kills, restarts, pauses (a stalled
// process), partitions (random halves, the leader alone, with five servers a majority ring or
// a bridge), slows a disk, fails a disk (EIO, ENOSPC: the server must stop, and is
// restarted on a healthy disk) and crashes the whole ensemble. After the faults everything heals,
// the workers drain, every server's tree is read back, and zkcheck judges the history.
//
// Everything follows from the seed (ensemble, clients, nemesis), so RunSchedule(seed) twice
// gives the same history byte for byte: that is how a failing seed is replayed.
//
// Threads: the calling thread runs the whole simulation.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "checker.h"

namespace zk::simulation {

struct ScheduleResult {
  uint64_t seed = 0;
  int servers = 0;
  int workers = 0;
  bool ok = false;          // the ensemble healed and the checker said valid
  std::string failure;      // why not: the checker's report, or what did not heal
  zkcheck::Verdict verdict = zkcheck::Verdict::kValid;
  int64_t ops = 0;          // invocations recorded and checked
  int64_t simulated_ms = 0;
  int64_t unexpected_errors = 0;
  std::map<std::string, int> faults;  // injected, by kind
  std::vector<std::string> fault_log; // "t=1234 kill server.2", ...
  std::string history;                // JSON lines (zkcheck's format)
};

struct ScheduleOptions {
  bool verbose = false;  // stream the fault log to stderr as it happens
  // The broken control: every crash of the whole ensemble also wipes a majority's data
  // dirs. Acknowledged writes get lost, and the checker must say so.
  bool wipe_majority = false;
};

// Runs one schedule.
ScheduleResult RunSchedule(uint64_t seed, const ScheduleOptions& options = {});

}  // namespace zk::simulation
