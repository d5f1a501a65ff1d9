// (b) session read rules: plain reads may be stale, but never older than what the session
// saw or wrote; a session's writes are applied in FIFO order; reads return written data.
#include "history_lines.h"

namespace zkcheck {
namespace {

using namespace zkcheck::testing;

const std::string kInit = Init("/r", "0", 0, 1) + Init("/k", "0", 0, 1);

TEST(ZkcheckSession, ReadingBackwardsIsRejected) {
  // s2 sees b (0x3), then a (0x2) although /r changed again at 0x3.
  std::string h = kInit + OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                  OkOp(2, 20, 5, "0x1", "write", "/r", V("b"), VZ(2, 3)) +
                  OkOp(3, 30, 5, "0x2", "read", "/r", "", VVZ("b", 2, 3)) +
                  OkOp(4, 40, 5, "0x2", "read", "/r", "", VVZ("a", 1, 2));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  ASSERT_TRUE(HasCheck(r, "session"));
  // The window: what the session had seen, the backward read, and the change it missed.
  const Violation& v = r.violations[0];
  EXPECT_EQ(v.window.size(), 3u) << Explain(r, h);
}

TEST(ZkcheckSession, ReadingBackwardsAcrossKeysIsRejected) {
  // s2 saw /k at 0x5, so its view is past 0x4; /r changed at 0x4, yet it reads the old /r.
  std::string h = kInit + OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(1, 4)) +
                  OkOp(2, 20, 5, "0x1", "write", "/k", V("x"), VZ(1, 5)) +
                  OkOp(3, 30, 5, "0x2", "read", "/k", "", VVZ("x", 1, 5)) +
                  OkOp(4, 40, 5, "0x2", "read", "/r", "", VVZ("0", 0, 1));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
}

TEST(ZkcheckSession, NotReadingOwnWriteIsRejected) {
  std::string h = kInit + OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                  OkOp(2, 20, 5, "0x1", "read", "/r", "", VVZ("0", 0, 1));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  EXPECT_TRUE(HasCheck(r, "session"));
}

TEST(ZkcheckSession, StaleReadsFromAnotherSessionAreAccepted) {
  // s2 lags behind s1's acknowledged writes: allowed (sequential consistency), as long as it
  // never goes back.
  std::string h = kInit + OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                  OkOp(2, 20, 5, "0x1", "write", "/r", V("b"), VZ(2, 3)) +
                  OkOp(3, 30, 5, "0x2", "read", "/r", "", VVZ("0", 0, 1)) +
                  OkOp(4, 40, 5, "0x2", "read", "/r", "", VVZ("a", 1, 2)) +
                  OkOp(5, 50, 5, "0x2", "read", "/r", "", VVZ("a", 1, 2)) +
                  OkOp(6, 60, 5, "0x1", "read", "/r", "", VVZ("b", 2, 3));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, h);
}

TEST(ZkcheckSession, ReadOfValueNeverWrittenIsRejected) {
  std::string h = kInit + OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                  OkOp(2, 20, 5, "0x2", "read", "/r", "", V("ghost") + "," + Ver(1));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  // Data that only a later write wrote is just as impossible.
  std::string future = kInit + OkOp(1, 10, 5, "0x2", "read", "/r", "", V("later")) +
                       OkOp(2, 20, 5, "0x1", "write", "/r", V("later"), VZ(1, 2));
  EXPECT_EQ(CheckText(future).verdict, Verdict::kViolation);
  // A read naming the mzxid of another write's data.
  std::string mixed = kInit + OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                      OkOp(2, 20, 5, "0x1", "write", "/r", V("b"), VZ(2, 3)) +
                      OkOp(3, 30, 5, "0x2", "read", "/r", "", VVZ("a", 2, 3));
  EXPECT_EQ(CheckText(mixed).verdict, Verdict::kViolation);
}

TEST(ZkcheckSession, ReadOfAnInfoWritesDataIsAccepted) {
  std::string h = kInit + Inv(1, 10, "0x1", "write", "/r", V("maybe")) + Info(1, 20) +
                  OkOp(2, 30, 5, "0x2", "read", "/r", "", V("maybe"));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, h);
}

TEST(ZkcheckSession, WritesOutOfFifoOrderAreRejected) {
  // Pipelined: the second request was sent before the first returned, yet committed first.
  std::string h = kInit + Inv(1, 10, "0x1", "write", "/r", V("a")) +
                  Inv(2, 11, "0x1", "write", "/k", V("b")) + Ok(2, 20, VZ(1, 2)) +
                  Ok(1, 21, VZ(1, 3));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  EXPECT_TRUE(HasCheck(r, "session"));
}

TEST(ZkcheckSession, VersionsStandInForMissingZxids) {
  std::string back = kInit + OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), Ver(1)) +
                     OkOp(2, 20, 5, "0x1", "write", "/r", V("b"), Ver(2)) +
                     OkOp(3, 30, 5, "0x2", "read", "/r", "", V("b") + "," + Ver(2)) +
                     OkOp(4, 40, 5, "0x2", "read", "/r", "", V("a") + "," + Ver(1));
  EXPECT_EQ(CheckText(back).verdict, Verdict::kViolation);
}

}  // namespace
}  // namespace zkcheck
