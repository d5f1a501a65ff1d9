// What the raft integration tests share on top of ensemble.h: a fixture that starts a
// healthy ensemble, and a leadership-transfer helper.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <utility>

#include "ensemble.h"

namespace zk::raft_test {

// Most tests start from a healthy ensemble: every server started, one stable leader.
class EnsembleTest : public ::testing::Test {
 protected:
  // A new ensemble in e_ with every server started, and its stable leader in leader_. Use as
  // ASSERT_TRUE(StartWithLeader()): the failure carries the ensemble's dump.
  ::testing::AssertionResult StartWithLeader(Options o = {}) {
    e_.emplace(std::move(o));
    e_->StartAll();
    leader_ = e_->AwaitStableLeader();
    if (leader_ < 0) return ::testing::AssertionFailure() << "no stable leader\n" << e_->Dump();
    return ::testing::AssertionSuccess();
  }

  std::optional<Ensemble> e_;
  int leader_ = -1;
};

// Asks server `from` to hand leadership to `to`; the outcome settles when the callback runs.
inline std::shared_ptr<Outcome> Transfer(Ensemble& e, int from, uint64_t to) {
  auto out = std::make_shared<Outcome>();
  e.node(from).election->TransferLeadership(to, [out](Status s) {
    out->done = true;
    out->status = s;
  });
  return out;
}

}  // namespace zk::raft_test
