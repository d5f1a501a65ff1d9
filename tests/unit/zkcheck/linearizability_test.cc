// (a) linearizability per znode: writes, CAS, sync reads, unknown outcomes, budget.
#include "history_lines.h"

namespace zkcheck {
namespace {

using namespace zkcheck::testing;

// /r starts as "0" at version 0, mzxid 0x1.
const std::string kInit = Init("/r", "0", 0, 1);
const std::string kCas0 = "\"expected_version\":0";

TEST(ZkcheckLinearizability, StaleCasSuccessIsRejected) {
  // s1 moves /r to version 1; afterwards s2's CAS expecting version 0 still succeeds.
  std::string h = kInit + OkOp(1, 10, 10, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                  OkOp(2, 30, 10, "0x2", "cas", "/r", kCas0 + "," + V("b"), VZ(1, 3));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  EXPECT_TRUE(HasCheck(r, "linearizability")) << Explain(r, h);
}

TEST(ZkcheckLinearizability, LostAcknowledgedWriteIsRejected) {
  // A sync read after an acknowledged write returns the data from before it.
  std::string h = kInit + OkOp(1, 10, 10, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                  OkOp(2, 30, 10, "0x2", "sync_read", "/r", "", VVZ("0", 0, 1));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  EXPECT_TRUE(HasCheck(r, "linearizability"));
}

TEST(ZkcheckLinearizability, SyncReadOfValueNeverWrittenIsRejected) {
  std::string h = kInit + OkOp(1, 10, 10, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                  OkOp(2, 30, 10, "0x2", "sync_read", "/r", "", V("ghost"));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
}

TEST(ZkcheckLinearizability, WritesOutOfRealTimeOrderAreRejected) {
  // b began after a returned, yet got the smaller zxid and version.
  std::string h = kInit + OkOp(1, 10, 10, "0x1", "write", "/r", V("a"), VZ(2, 3)) +
                  OkOp(2, 30, 10, "0x2", "write", "/r", V("b"), VZ(1, 2));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
}

TEST(ZkcheckLinearizability, ConcurrentWritesInEitherOrderAreAccepted) {
  for (bool a_first : {true, false}) {
    int64_t za = a_first ? 2 : 3, zb = a_first ? 3 : 2;
    std::string last = a_first ? "b" : "a";
    std::string h = kInit + Inv(1, 10, "0x1", "write", "/r", V("a")) +
                    Inv(2, 15, "0x2", "write", "/r", V("b")) + Ok(1, 30, VZ(za - 1, za)) +
                    Ok(2, 35, VZ(zb - 1, zb)) +
                    OkOp(3, 40, 5, "0x3", "sync_read", "/r", "", VVZ(last, 2, 3)) +
                    OkOp(4, 50, 5, "0x1", "cas", "/r", "\"expected_version\":2," + V("c"),
                         VZ(3, 4));
    Report r = CheckText(h);
    EXPECT_EQ(r.verdict, Verdict::kValid) << a_first << Explain(r, h);
  }
}

TEST(ZkcheckLinearizability, UnknownOutcomesMayOrMayNotTakeEffect) {
  // x timed out but took effect (a later sync read sees it, the next CAS counts it);
  // y timed out and never took effect (versions leave no room for it).
  std::string h = kInit + Inv(1, 10, "0x1", "write", "/r", V("x")) + Info(1, 20) +
                  OkOp(2, 30, 5, "0x2", "sync_read", "/r", "", VVZ("x", 1, 2)) +
                  Inv(3, 40, "0x3", "write", "/r", V("y")) + Info(3, 50) +
                  OkOp(4, 60, 5, "0x2", "cas", "/r", "\"expected_version\":1," + V("z"),
                       VZ(2, 3)) +
                  OkOp(5, 70, 5, "0x2", "sync_read", "/r", "", VVZ("z", 2, 3));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, h);
  EXPECT_EQ(r.stats.keys_searched, 1u);
}

TEST(ZkcheckLinearizability, AnInfoWriteCanTakeEffectLongAfterItsTimeout) {
  // The sync read sees "late" after two acknowledged writes: only the info write explains it.
  std::string h = kInit + Inv(1, 10, "0x1", "write", "/r", V("late")) + Info(1, 20) +
                  OkOp(2, 30, 5, "0x2", "write", "/r", V("a"), VZ(1, 2)) +
                  OkOp(3, 40, 5, "0x2", "write", "/r", V("b"), VZ(2, 3)) +
                  OkOp(4, 50, 5, "0x3", "sync_read", "/r", "", VVZ("late", 3, 4));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, h);
}

TEST(ZkcheckLinearizability, DefiniteFailuresConstrainTheState) {
  // A CAS that failed with BadVersion while the version matched cannot be explained.
  std::string bad = kInit + OkOp(1, 10, 5, "0x1", "sync_read", "/r", "", VVZ("0", 0, 1)) +
                    Inv(2, 20, "0x1", "cas", "/r", kCas0 + "," + V("b")) +
                    Fail(2, 25, "\"error\":\"bad_version\"") +
                    OkOp(3, 30, 5, "0x1", "sync_read", "/r", "", VVZ("0", 0, 1));
  EXPECT_EQ(CheckText(bad).verdict, Verdict::kViolation);
  // The same failure is fine once another write moved the version on.
  std::string good = kInit + OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                     Inv(2, 20, "0x2", "cas", "/r", kCas0 + "," + V("b")) +
                     Fail(2, 25, "\"error\":\"bad_version\"");
  Report r = CheckText(good);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, good);
}

TEST(ZkcheckLinearizability, UndeclaredInitialStateIsAnyState) {
  // Without an init line the first write may find any version.
  std::string h = OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(7, 0x20)) +
                  OkOp(2, 20, 5, "0x1", "cas", "/r", "\"expected_version\":7," + V("b"),
                       VZ(8, 0x21));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, h);
}

// Many overlapping writes of unknown outcome and a contradiction at the end: the search has
// to try every subset of the info writes, far beyond a tiny budget.
std::string HardHistory(int info_writes) {
  std::string h = kInit;
  int id = 1;
  for (int i = 0; i < info_writes; ++i) {
    h += Inv(id, 10 + i, "0x" + std::to_string(100 + i), "write", "/r",
             V("w" + std::to_string(i)));
    ++id;
  }
  for (int i = 0; i < info_writes; ++i) h += Info(i + 1, 1000 + i);
  h += OkOp(id, 2000, 5, "0x1", "sync_read", "/r", "", V("never"));
  return h;
}

TEST(ZkcheckLinearizability, OverBudgetIsUndecidedNeverValid) {
  CheckOptions options;
  options.max_states_per_key = 500;
  Report r = CheckText(HardHistory(14), options);
  EXPECT_EQ(r.verdict, Verdict::kUndecided);
  ASSERT_EQ(r.undecided.size(), 1u);
  EXPECT_EQ(r.undecided[0].key, "/r");
  EXPECT_EQ(static_cast<int>(r.verdict), 3);
  // With room to search, the same history is a proven violation.
  options.max_states_per_key = 5'000'000;
  EXPECT_EQ(CheckText(HardHistory(10), options).verdict, Verdict::kViolation);
}

TEST(ZkcheckLinearizability, TimeBudgetAlsoGivesUndecided) {
  CheckOptions options;
  options.time_limit = std::chrono::milliseconds(1);
  Report r = CheckText(HardHistory(22), options);
  EXPECT_EQ(r.verdict, Verdict::kUndecided);
}

}  // namespace
}  // namespace zkcheck
