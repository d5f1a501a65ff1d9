// (c)-(g): sequential names, ephemerals, watches, multi, final state.
#include "history_lines.h"

namespace zkcheck {
namespace {

using namespace zkcheck::testing;

std::string Seq(int id, int64_t t, const std::string& session, const std::string& name,
                int64_t zxid) {
  return OkOp(id, t, 5, session, "create_seq", "/q/item-", V("x"),
              "\"path\":\"/q/item-" + name + "\"," + Z(zxid));
}

// {"phase":"final","server":S,"nodes":{NODES}}
std::string Final(const std::string& server, const std::string& nodes) {
  return "{\"phase\":\"final\",\"server\":\"" + server + "\",\"nodes\":{" + nodes + "}}\n";
}
std::string Node(const std::string& path, const std::string& value, int64_t version,
                 int64_t mzxid, const std::string& owner = "") {
  std::string s = "\"" + path + "\":{" + VVZ(value, version, mzxid);
  s.replace(s.find("\"zxid\""), 6, "\"mzxid\"");
  if (!owner.empty()) s += ",\"ephemeral_owner\":\"" + owner + "\"";
  return s + "}";
}

TEST(ZkcheckSequential, UniqueIncreasingAndKeptIsAccepted) {
  std::string h = Seq(1, 10, "0x1", "0000000000", 2) + Seq(2, 20, "0x2", "0000000001", 3) +
                  Final("1", Node("/q/item-0000000000", "x", 0, 2) + "," +
                                 Node("/q/item-0000000001", "x", 0, 3));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, h);
}

TEST(ZkcheckSequential, DuplicatedNameIsRejected) {
  std::string h = Seq(1, 10, "0x1", "0000000000", 2) + Seq(2, 20, "0x2", "0000000000", 3);
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  ASSERT_TRUE(HasCheck(r, "sequential"));
  EXPECT_EQ(r.violations[0].window.size(), 2u);
}

TEST(ZkcheckSequential, OutOfOrderOrLostNamesAreRejected) {
  // A smaller number at a larger zxid, and after the first returned.
  std::string order = Seq(1, 10, "0x1", "0000000005", 2) + Seq(2, 20, "0x2", "0000000004", 3);
  EXPECT_EQ(CheckText(order).verdict, Verdict::kViolation);
  std::string lost = Seq(1, 10, "0x1", "0000000000", 2) + Seq(2, 20, "0x2", "0000000001", 3) +
                     Final("1", Node("/q/item-0000000000", "x", 0, 2));
  Report r = CheckText(lost);
  EXPECT_EQ(r.verdict, Verdict::kViolation);
  EXPECT_TRUE(HasCheck(r, "sequential"));
}

TEST(ZkcheckEphemeral, SurvivingItsSessionIsRejected) {
  std::string create =
      OkOp(1, 10, 5, "0x1", "create", "/e", V("x") + ",\"ephemeral\":true", Z(2));
  std::string close = OkOp(2, 20, 5, "0x1", "close", "", "", "");
  // Owner recorded in the snapshot, on one of two servers.
  std::string h = create + close + Final("1", "") + Final("2", Node("/e", "x", 0, 2, "0x1"));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  EXPECT_TRUE(HasCheck(r, "ephemeral"));
  // No owner in the snapshot: still only this ended session ever created it.
  std::string no_owner = create + close + Final("1", Node("/e", "x", 0, 2));
  EXPECT_TRUE(HasCheck(CheckText(no_owner), "ephemeral"));
  // An expiry ends the session just as well.
  std::string expired = create + Event(30, "0x1", "expire", "") + Final("1", Node("/e", "x", 0, 2));
  EXPECT_TRUE(HasCheck(CheckText(expired), "ephemeral"));
  // Gone everywhere after the close: fine.
  std::string gone = create + close + Final("1", "") + Final("2", "");
  Report ok = CheckText(gone);
  EXPECT_EQ(ok.verdict, Verdict::kValid) << Explain(ok, gone);
}

TEST(ZkcheckEphemeral, VanishingWhileTheSessionLivesIsRejected) {
  std::string h =
      OkOp(1, 10, 5, "0x1", "create", "/e", V("x") + ",\"ephemeral\":true", Z(2)) +
      OkOp(2, 20, 5, "0x2", "sync_read", "/e", "", "\"exists\":false") +
      OkOp(3, 30, 5, "0x1", "read", "/other", "", "\"exists\":false");  // 0x1 still alive
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  EXPECT_TRUE(HasCheck(r, "ephemeral"));
  // The same after the session closed is what should happen.
  std::string after =
      OkOp(1, 10, 5, "0x1", "create", "/e", V("x") + ",\"ephemeral\":true", Z(2)) +
      OkOp(2, 20, 5, "0x1", "close", "", "", "") +
      OkOp(3, 30, 5, "0x2", "sync_read", "/e", "", "\"exists\":false");
  Report ok = CheckText(after);
  EXPECT_EQ(ok.verdict, Verdict::kValid) << Explain(ok, after);
}

// s2 watches /w at 0x2; s1 changes it at 0x3.
const std::string kWatchBase =
    Init("/w", "0", 0, 1) + OkOp(1, 10, 5, "0x1", "write", "/w", V("a"), VZ(1, 2)) +
    OkOp(2, 20, 5, "0x2", "read", "/w", "\"watch\":true", VVZ("a", 1, 2)) +
    OkOp(3, 30, 5, "0x1", "write", "/w", V("b"), VZ(2, 3));

TEST(ZkcheckWatch, OneEventBeforeTheNewDataIsAccepted) {
  std::string h = kWatchBase + Event(40, "0x2", "watch_event", "/w",
                                     "\"event\":\"NodeDataChanged\"") +
                  OkOp(4, 50, 5, "0x2", "read", "/w", "", VVZ("b", 2, 3));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, h);
}

// A session's watches last until its close is answered: the server may still deliver an
// event while the close is in flight (found by the simulation, seed 42), not after.
TEST(ZkcheckWatch, EventWhileTheCloseIsInFlightIsAccepted) {
  const std::string event =
      Event(40, "0x2", "watch_event", "/w", "\"event\":\"NodeDataChanged\"");
  std::string during = kWatchBase + Inv(4, 36, "0x2", "close", "") + event + Ok(4, 45);
  Report r = CheckText(during);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, during);
  std::string after = kWatchBase + OkOp(4, 36, 2, "0x2", "close", "", "", "") + event;
  Report a = CheckText(after);
  EXPECT_TRUE(HasCheck(a, "watch")) << Explain(a, after);
}

TEST(ZkcheckWatch, MissingDoubledOrLateEventsAreRejected) {
  std::string event = Event(40, "0x2", "watch_event", "/w", "\"event\":\"NodeDataChanged\"");
  Report missing = CheckText(kWatchBase);
  EXPECT_TRUE(HasCheck(missing, "watch")) << Explain(missing, kWatchBase);
  std::string doubled = kWatchBase + event +
                        Event(45, "0x2", "watch_event", "/w", "\"event\":\"NodeDataChanged\"");
  Report d = CheckText(doubled);
  EXPECT_TRUE(HasCheck(d, "watch")) << Explain(d, doubled);
  // The client read the new data before the event arrived.
  std::string late = kWatchBase + OkOp(4, 40, 5, "0x2", "read", "/w", "", VVZ("b", 2, 3)) +
                     Event(50, "0x2", "watch_event", "/w", "\"event\":\"NodeDataChanged\"");
  Report l = CheckText(late);
  EXPECT_TRUE(HasCheck(l, "watch")) << Explain(l, late);
  CheckOptions relaxed;
  relaxed.watch_order = false;
  EXPECT_EQ(CheckText(late, relaxed).verdict, Verdict::kValid);
  // An event with nothing changed after the watch.
  std::string spurious = Init("/w", "0", 0, 1) +
                         OkOp(2, 20, 5, "0x2", "read", "/w", "\"watch\":true", VVZ("0", 0, 1)) +
                         event;
  EXPECT_TRUE(HasCheck(CheckText(spurious), "watch"));
}

const std::string kMulti =
    Init("/a", "0", 0, 1) + Init("/b", "0", 0, 1) +
    Inv(1, 10, "0x1", "multi", "",
        "\"ops\":[{\"op\":\"write\",\"key\":\"/a\",\"value\":\"m\"},"
        "{\"op\":\"write\",\"key\":\"/b\",\"value\":\"m\"}]");

TEST(ZkcheckMulti, HalfAppliedMultiIsRejected) {
  // Outcome unknown, but /a shows it while /b does not.
  std::string h = kMulti + Info(1, 20) +
                  Final("1", Node("/a", "m", 1, 5) + "," + Node("/b", "0", 0, 1));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  EXPECT_TRUE(HasCheck(r, "multi"));
  // Acknowledged and half there.
  std::string acked = kMulti + Ok(1, 20, Z(5)) +
                      Final("1", Node("/a", "0", 0, 1) + "," + Node("/b", "m", 1, 5));
  EXPECT_TRUE(HasCheck(CheckText(acked), "multi"));
  // A failed multi must leave nothing.
  std::string failed = kMulti + Fail(1, 20, "\"error\":\"bad_version\"") +
                       Final("1", Node("/a", "m", 1, 5) + "," + Node("/b", "0", 0, 1));
  EXPECT_TRUE(HasCheck(CheckText(failed), "multi"));
}

TEST(ZkcheckMulti, AllOrNothingIsAccepted) {
  for (const std::string& fin :
       {Final("1", Node("/a", "m", 1, 5) + "," + Node("/b", "m", 1, 5)),
        Final("1", Node("/a", "0", 0, 1) + "," + Node("/b", "0", 0, 1))}) {
    std::string h = kMulti + Info(1, 20) + fin;
    Report r = CheckText(h);
    EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, h);
  }
  // Applied, then /b overwritten by a later write.
  std::string later = kMulti + Ok(1, 20, Z(5)) +
                      OkOp(2, 30, 5, "0x2", "write", "/b", V("c"), VZ(2, 6)) +
                      Final("1", Node("/a", "m", 1, 5) + "," + Node("/b", "c", 2, 6));
  Report r = CheckText(later);
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, later);
}

TEST(ZkcheckFinal, DivergingDigestsAreRejected) {
  std::string h = "{\"phase\":\"final\",\"server\":\"1\",\"digest\":\"abc\"}\n"
                  "{\"phase\":\"final\",\"server\":\"2\",\"digest\":\"abd\"}\n";
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation);
  EXPECT_TRUE(HasCheck(r, "final"));
  std::string trees = Final("1", Node("/a", "x", 1, 2)) + Final("2", Node("/a", "y", 1, 2));
  Report t = CheckText(trees);
  EXPECT_TRUE(HasCheck(t, "final"));
  ASSERT_FALSE(t.violations.empty());
  EXPECT_NE(t.violations[0].message.find("/a"), std::string::npos) << t.violations[0].message;
  std::string same = Final("1", Node("/a", "x", 1, 2)) + Final("2", Node("/a", "x", 1, 2));
  EXPECT_EQ(CheckText(same).verdict, Verdict::kValid);
}

TEST(ZkcheckFinal, LostAcknowledgedWriteIsRejected) {
  std::string h = Init("/r", "0", 0, 1) +
                  OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                  Final("1", Node("/r", "a", 1, 2)) + Final("2", Node("/r", "0", 0, 1));
  Report r = CheckText(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation) << Explain(r, h);
  EXPECT_TRUE(HasCheck(r, "final"));
  // Present on both: fine. An info write that never landed: fine too.
  std::string ok = Init("/r", "0", 0, 1) +
                   OkOp(1, 10, 5, "0x1", "write", "/r", V("a"), VZ(1, 2)) +
                   Inv(2, 20, "0x2", "write", "/r", V("lost")) + Info(2, 30) +
                   Final("1", Node("/r", "a", 1, 2)) + Final("2", Node("/r", "a", 1, 2));
  Report v = CheckText(ok);
  EXPECT_EQ(v.verdict, Verdict::kValid) << Explain(v, ok);
}

}  // namespace
}  // namespace zkcheck
