// Simulated workloads: valid ones pass at the size the fault harnesses produce, and the
// window of a planted violation holds the offending ops, not the unrelated ones.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "simulated_history.h"

namespace zkcheck {
namespace {

using namespace zkcheck::testing;

TEST(ZkcheckSimulated, ValidHistoriesPass) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SimOptions o;
    o.seed = seed;
    o.ops = 400;
    o.keys = 2;
    o.clients = 6;
    o.info_rate = 0.05;
    std::string h = SimulateHistory(o);
    Report r = CheckText(h);
    ASSERT_EQ(r.verdict, Verdict::kValid) << "seed " << seed << "\n" << Explain(r, h);
  }
}

TEST(ZkcheckSimulated, FiftyThousandOpsCheckInSeconds) {
  SimOptions o;
  o.ops = 50'000;
  o.keys = 20;
  o.clients = 10;
  o.info_rate = 0.01;
  // ZKCHECK_INFO_RATE=0.05 measures a faultier run by hand.
  if (const char* rate = std::getenv("ZKCHECK_INFO_RATE")) o.info_rate = std::atof(rate);
  std::string h = SimulateHistory(o);
  auto start = std::chrono::steady_clock::now();
  History history;
  Report r = CheckText(h, CheckOptions(), &history);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("50k ops / 20 znodes / 10 clients: parse + check %.2fs, %llu states\n", seconds,
              static_cast<unsigned long long>(r.stats.states));
  EXPECT_EQ(r.verdict, Verdict::kValid) << Explain(r, h).substr(0, 4000);
  EXPECT_EQ(history.ops.size(), 50'000u);
  EXPECT_LT(seconds, 30.0);  // seconds on the 2-core target; generous for debug builds
}

TEST(ZkcheckSimulated, WindowHoldsTheOffendingOpsOnly) {
  SimOptions o;
  o.ops = 600;
  o.keys = 1;
  o.clients = 5;
  o.info_rate = 0.0;
  std::string h = SimulateHistory(o);
  // Plant a stale CAS well after everything else: /r0 is at some version v > 1 by then, and
  // the CAS claims to have succeeded expecting version 1.
  int64_t t = 10'000'000;
  h += Inv(90001, t, "0x99", "cas", "/r0", "\"expected_version\":1," + V("stale")) +
       Ok(90001, t + 10, VZ(2, 1'000'000));
  History history;
  Report r = CheckText(h, CheckOptions(), &history);
  ASSERT_EQ(r.verdict, Verdict::kViolation);
  const Violation* lin = nullptr;
  for (const Violation& v : r.violations) {
    if (v.check == "linearizability") lin = &v;
  }
  ASSERT_NE(lin, nullptr) << Explain(r, h);
  std::string text = RenderText(r, history);
  // The stale CAS is in the window, the window is small, and the first ops of the history
  // (long before, unrelated) are not.
  bool has_cas = false;
  for (size_t oi : lin->window) {
    has_cas |= history.ops[oi].id == 90001;
    EXPECT_GT(history.ops[oi].invoke_time, 1000) << text;
  }
  EXPECT_TRUE(has_cas) << text;
  EXPECT_LE(lin->window.size(), 4u) << text;
  if (std::getenv("ZKCHECK_SHOW")) std::fputs(text.c_str(), stdout);
  EXPECT_NE(text.find("expected=1 value=\"stale\""), std::string::npos) << text;
  std::string json = RenderJson(r, history);
  EXPECT_NE(json.find("\"verdict\":\"violation\""), std::string::npos);
  EXPECT_NE(json.find("\"id\":90001"), std::string::npos);
}

}  // namespace
}  // namespace zkcheck

namespace zkcheck {
namespace {

using namespace zkcheck::testing;

TEST(ZkcheckSimulated, WindowOfAViolationMidHistory) {
  SimOptions o;
  o.ops = 600;
  o.keys = 1;
  o.clients = 5;
  o.info_rate = 0.02;
  std::string h = SimulateHistory(o);
  // A CAS in the middle claims version 2 again (expected 1) long after version 2 was passed.
  h += Inv(90002, 6000, "0x98", "cas", "/r0", "\"expected_version\":1," + V("stale")) +
       Ok(90002, 6001, Ver(2));
  History history;
  Report r = CheckText(h, CheckOptions(), &history);
  ASSERT_EQ(r.verdict, Verdict::kViolation);
  ASSERT_TRUE(HasCheck(r, "linearizability"));
  const Violation& v = r.violations[0];
  std::string text = RenderText(r, history);
  if (std::getenv("ZKCHECK_SHOW")) std::fputs(text.c_str(), stdout);
  bool has_cas = false;
  for (size_t oi : v.window) {
    has_cas |= history.ops[oi].id == 90002;
    // Nothing from the start of the history, nor from long after the CAS.
    EXPECT_GT(history.ops[oi].invoke_time, 4000) << text;
    EXPECT_LT(history.ops[oi].invoke_time, 8000) << text;
  }
  EXPECT_TRUE(has_cas) << text;
  EXPECT_LE(v.window.size(), 6u) << text;
}

}  // namespace
}  // namespace zkcheck
