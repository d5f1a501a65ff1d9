// The deterministic simulation mode (issue 5, part 6): thousands of seeded fault schedules
// per CI run (schedule.h), each checked by zkcheck. Every run takes fresh seeds and prints
// them; one seed replays exactly:
//
//   ZK_SIM_SEED=1234 bin/integration_simulation_tests --gtest_filter='Simulation.Replay'
//
// prints that schedule's faults as they happen, writes its history next to the working
// directory (sim-1234.jsonl, for bin/zkcheck) and checks it. ZK_SIM_SCHEDULES sets how many
// schedules each Schedules* case runs (default 250; four cases, so ctest -j2 runs them in
// parallel), ZK_SIM_BASE_SEED fixes the first seed of each case, ZK_SIM_PROGRESS=1 prints each
// seed before its schedule runs (to stderr, unbuffered: a crash then names its seed).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "schedule.h"

namespace zk::simulation {
namespace {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

std::string SaveHistory(const ScheduleResult& r) {
  const std::string file = "sim-" + std::to_string(r.seed) + ".jsonl";
  std::ofstream(file) << r.history;
  return file;
}

std::string Describe(const ScheduleResult& r) {
  std::string out = "seed " + std::to_string(r.seed) + ": " + std::to_string(r.servers) +
                    " servers, " + std::to_string(r.workers) + " clients, " +
                    std::to_string(r.ops) + " ops, faults:\n";
  for (const std::string& line : r.fault_log) out += "  " + line + "\n";
  return out;
}

// Runs `count` schedules from `first` and prints what a README reports about them.
void RunMany(const char* label, uint64_t first, uint64_t count) {
  std::printf("simulation %s: seeds %llu..%llu (replay one: ZK_SIM_SEED=<seed> "
              "bin/integration_simulation_tests --gtest_filter=Simulation.Replay)\n",
              label, (unsigned long long)first, (unsigned long long)(first + count - 1));
  std::fflush(stdout);
  int64_t ops = 0, simulated_ms = 0, unexpected = 0;
  std::map<std::string, int64_t> faults;
  std::map<int, int> by_size;
  int failures = 0;
  const bool progress = EnvOr("ZK_SIM_PROGRESS", 0) != 0;  // a crash then names its seed
  for (uint64_t seed = first; seed < first + count; ++seed) {
    if (progress) std::fprintf(stderr, "seed %llu\n", (unsigned long long)seed);
    const ScheduleResult r = RunSchedule(seed);
    ops += r.ops;
    simulated_ms += r.simulated_ms;
    unexpected += r.unexpected_errors;
    ++by_size[r.servers];
    for (const auto& [kind, n] : r.faults) faults[kind] += n;
    if (r.ok) continue;
    ++failures;
    if (failures <= 3) {
      ADD_FAILURE() << Describe(r) << r.failure << "\nhistory saved in " << SaveHistory(r)
                    << "; replay: ZK_SIM_SEED=" << seed
                    << " bin/integration_simulation_tests --gtest_filter=Simulation.Replay";
    }
  }
  std::string kinds;
  int64_t total_faults = 0;
  for (const auto& [kind, n] : faults) {
    kinds += " " + kind + "=" + std::to_string(n);
    total_faults += n;
  }
  std::printf("simulation %s: %llu schedules (%d with 3 servers, %d with 5), %lld ops checked, "
              "%lld faults (%s ), %.2f simulated hours, %d failed, %lld unexpected errors\n",
              label, (unsigned long long)count, by_size[3], by_size[5], (long long)ops,
              (long long)total_faults, kinds.c_str() + 1, simulated_ms / 3.6e6, failures,
              (long long)unexpected);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(unexpected, 0) << "requests answered with an error this workload cannot cause";
}

void RunCase(const char* label) {
  static std::random_device device;
  const uint64_t first = EnvOr("ZK_SIM_BASE_SEED", (uint64_t{device()} << 20) ^ device());
  RunMany(label, first, EnvOr("ZK_SIM_SCHEDULES", 250));
}

TEST(Simulation, SchedulesA) { RunCase("A"); }
TEST(Simulation, SchedulesB) { RunCase("B"); }
TEST(Simulation, SchedulesC) { RunCase("C"); }
TEST(Simulation, SchedulesD) { RunCase("D"); }

// One seed, twice: the same faults and the same history byte for byte.
TEST(Simulation, SameSeedSameHistory) {
  const uint64_t seed = EnvOr("ZK_SIM_SEED", 42);
  const ScheduleResult a = RunSchedule(seed);
  const ScheduleResult b = RunSchedule(seed);
  EXPECT_GT(a.ops, 100);
  EXPECT_FALSE(a.fault_log.empty());
  EXPECT_EQ(a.fault_log, b.fault_log);
  EXPECT_TRUE(a.history == b.history) << "seed " << seed << " gave two different histories";
}

// The broken control: the same workload, nemesis and checker, but every crash of the whole
// ensemble also wipes a majority's data dirs. Acknowledged writes are lost and must be
// caught (fixed seeds: this is a property of the checker, not a search).
TEST(Simulation, WipedMajorityIsCaught) {
  int caught = 0;
  std::string verdicts;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const ScheduleResult r = RunSchedule(seed, {.wipe_majority = true});
    const bool wiped = r.faults.count("wipe") > 0;
    verdicts += "seed " + std::to_string(seed) + ": " + (wiped ? "wiped, " : "not wiped, ") +
                (r.ok ? "valid" : r.failure.substr(0, r.failure.find('\n'))) + "\n";
    if (wiped && r.verdict == zkcheck::Verdict::kViolation) ++caught;
  }
  std::printf("%s", verdicts.c_str());
  EXPECT_GE(caught, 5) << verdicts;
}

TEST(Simulation, Replay) {
  const uint64_t seed = EnvOr("ZK_SIM_SEED", 0);
  if (seed == 0) GTEST_SKIP() << "set ZK_SIM_SEED to replay a schedule";
  const ScheduleResult r = RunSchedule(seed, {.verbose = true});
  std::printf("%shistory in %s (bin/zkcheck %s)\n", Describe(r).c_str(),
              SaveHistory(r).c_str(), ("sim-" + std::to_string(seed) + ".jsonl").c_str());
  EXPECT_TRUE(r.ok) << r.failure;
}

}  // namespace
}  // namespace zk::simulation
