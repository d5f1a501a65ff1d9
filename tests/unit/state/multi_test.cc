// multi (14): atomicity, result layout (protocol.md §2.6), type normalisation. Expected
// layouts were probed on ZooKeeper 3.8.0 with raw requests.
#include "tree_helpers.h"

namespace zk::state::testing {
namespace {

class MultiTest : public TreeTest {
 protected:
  ErrorCode Multi(std::vector<proto::MultiOp> ops, std::vector<proto::MultiResult>* results) {
    proto::ResponseBody resp;
    const ErrorCode rc = Write(Req(OpCode::kMulti, proto::MultiRequest{std::move(ops)}), &resp);
    if (auto* m = std::get_if<proto::MultiResponse>(&resp)) {
      *results = m->results;
    } else {
      results->clear();
    }
    return rc;
  }
  static std::vector<std::pair<OpCode, ErrorCode>> Layout(
      const std::vector<proto::MultiResult>& r) {
    std::vector<std::pair<OpCode, ErrorCode>> out;
    for (const auto& x : r) out.emplace_back(x.type, x.err);
    return out;
  }
};

TEST_F(MultiTest, SuccessAppliesEverythingWithOneZxid) {
  ASSERT_EQ(Create("/pre", "v"), ErrorCode::kOk);
  triggers_.clear();
  std::vector<proto::MultiResult> r;
  ASSERT_EQ(
      Multi({MCreate("/m"), MCreate("/m/s-", 2), MCreate("/m/s-", 2, "", OpCode::kCreate2),
             MSetData("/m", "x"), MCheck("/m", 1), MDelete("/m/s-0000000000"), MDelete("/pre", 0)},
            &r),
      ErrorCode::kOk);
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(std::get<proto::CreateResponse>(r[0].body).path, "/m");
  EXPECT_EQ(std::get<proto::CreateResponse>(r[1].body).path, "/m/s-0000000000");
  // create2 inside a multi answers like create (MultiOperationRecord rebuilds it as Op.create).
  EXPECT_EQ(r[2].type, OpCode::kCreate);
  EXPECT_EQ(std::get<proto::CreateResponse>(r[2].body).path, "/m/s-0000000001");
  const proto::Stat set = std::get<proto::StatResponse>(r[3].body).stat;
  EXPECT_EQ(r[3].type, OpCode::kSetData);
  EXPECT_EQ(set.version, 1);
  EXPECT_EQ(set.mzxid, 2);
  EXPECT_EQ(set.czxid, 2);
  EXPECT_EQ(set.cversion, 2);  // the setData result shows the stat at that point
  EXPECT_EQ(set.num_children, 2);
  EXPECT_EQ(r[4].type, OpCode::kCheck);
  EXPECT_TRUE(std::holds_alternative<proto::EmptyResponse>(r[4].body));
  EXPECT_EQ(r[5].type, OpCode::kDelete);
  for (const auto& x : r) EXPECT_EQ(x.err, ErrorCode::kOk);
  const proto::Stat m = StatOf("/m");
  EXPECT_EQ(m.pzxid, 2);
  EXPECT_EQ(m.cversion, 3);
  EXPECT_FALSE(tree_.Exists("/pre"));
  EXPECT_EQ(tree_.last_zxid(), 2);
  const std::vector<Trigger> want = {{"/m", proto::EventType::kNodeCreated},
                                     {"/", proto::EventType::kNodeChildrenChanged},
                                     {"/m/s-0000000000", proto::EventType::kNodeCreated},
                                     {"/m", proto::EventType::kNodeChildrenChanged},
                                     {"/m/s-0000000001", proto::EventType::kNodeCreated},
                                     {"/m", proto::EventType::kNodeChildrenChanged},
                                     {"/m", proto::EventType::kNodeDataChanged},
                                     {"/m/s-0000000000", proto::EventType::kNodeDeleted},
                                     {"/m", proto::EventType::kNodeChildrenChanged},
                                     {"/pre", proto::EventType::kNodeDeleted},
                                     {"/", proto::EventType::kNodeChildrenChanged}};
  EXPECT_EQ(triggers_, want);
}

TEST_F(MultiTest, FailureLayoutAndRollback) {
  ASSERT_EQ(Create("/m", "orig"), ErrorCode::kOk);
  const uint64_t digest = tree_.Digest();
  const std::string snapshot = tree_.Serialize();
  const int64_t size = tree_.approximate_data_size();
  triggers_.clear();
  std::vector<proto::MultiResult> r;
  ASSERT_EQ(Multi({MCreate("/m2"), MSetData("/m", "new"), MCheck("/m", 5), MCreate("/m3")}, &r),
            ErrorCode::kOk);
  EXPECT_EQ(Layout(r), (std::vector<std::pair<OpCode, ErrorCode>>{
                           {OpCode::kError, ErrorCode::kOk},
                           {OpCode::kError, ErrorCode::kOk},
                           {OpCode::kError, ErrorCode::kBadVersion},
                           {OpCode::kError, ErrorCode::kRuntimeInconsistency}}));
  EXPECT_EQ(std::get<proto::ErrorResponse>(r[0].body).err, 0);
  EXPECT_EQ(std::get<proto::ErrorResponse>(r[2].body).err, -103);
  EXPECT_EQ(std::get<proto::ErrorResponse>(r[3].body).err, -2);
  EXPECT_TRUE(triggers_.empty());
  EXPECT_FALSE(tree_.Exists("/m2"));
  EXPECT_EQ(GetData("/m"), "orig");
  EXPECT_EQ(tree_.Digest(), digest);
  EXPECT_EQ(tree_.approximate_data_size(), size);
  // Byte-identical apart from last_zxid, which a failed multi still advances.
  EXPECT_EQ(tree_.last_zxid(), 2);
  DataTree copy;
  ASSERT_TRUE(copy.Deserialize(snapshot).ok());
  EXPECT_EQ(copy.Digest(), tree_.Digest());
}

TEST_F(MultiTest, RollbackRestoresDeletedSubtreesAndSequence) {
  ASSERT_EQ(Create("/a", "A"), ErrorCode::kOk);
  ASSERT_EQ(Create("/a/b", "B", 1), ErrorCode::kOk);  // an ephemeral
  ASSERT_EQ(Create("/c"), ErrorCode::kOk);
  const uint64_t digest = tree_.Digest();
  const size_t ephemerals = tree_.ephemeral_count();
  std::vector<proto::MultiResult> r;
  ASSERT_EQ(Multi({MDelete("/a/b"), MDelete("/a"), MCreate("/a", 1), MCreate("/c/s-", 2),
                   MSetData("/c", "zz"), MCreate("/nope/x")},
                  &r),
            ErrorCode::kOk);
  EXPECT_EQ(r.back().err, ErrorCode::kNoNode);
  EXPECT_EQ(tree_.Digest(), digest);
  EXPECT_EQ(GetData("/a/b"), "B");
  EXPECT_EQ(StatOf("/a/b").ephemeral_owner, kSession);
  EXPECT_EQ(StatOf("/a").ephemeral_owner, 0);
  EXPECT_EQ(tree_.ephemeral_count(), ephemerals);
  EXPECT_EQ(Children("/c"), std::vector<std::string>{});
  // The sequence counter was rolled back too.
  std::string name;
  ASSERT_EQ(Create2("/c/s-", 2, nullptr, &name), ErrorCode::kOk);
  EXPECT_EQ(name, "/c/s-0000000000");
}

TEST_F(MultiTest, FirstAndLastFailures) {
  ASSERT_EQ(Create("/m"), ErrorCode::kOk);
  std::vector<proto::MultiResult> r;
  ASSERT_EQ(Multi({MCreate("/m"), MCreate("/m4")}, &r), ErrorCode::kOk);
  EXPECT_EQ(Layout(r), (std::vector<std::pair<OpCode, ErrorCode>>{
                           {OpCode::kError, ErrorCode::kNodeExists},
                           {OpCode::kError, ErrorCode::kRuntimeInconsistency}}));
  ASSERT_EQ(Multi({MCreate("/m5"), MCreate("/m5")}, &r), ErrorCode::kOk);
  EXPECT_EQ(Layout(r),
            (std::vector<std::pair<OpCode, ErrorCode>>{{OpCode::kError, ErrorCode::kOk},
                                                       {OpCode::kError, ErrorCode::kNodeExists}}));
  EXPECT_FALSE(tree_.Exists("/m5"));
  ASSERT_EQ(Multi({MCreate("/m6", 1), MCreate("/m6/x")}, &r), ErrorCode::kOk);
  EXPECT_EQ(r[1].err, ErrorCode::kNoChildrenForEphemerals);
  EXPECT_EQ(tree_.ephemeral_count(), 0u);
  ASSERT_EQ(Multi({MCheck("/nonode", -1)}, &r), ErrorCode::kOk);
  EXPECT_EQ(r[0].err, ErrorCode::kNoNode);
  ASSERT_EQ(Multi({MCreate("/m7/"), MCreate("/m8")}, &r), ErrorCode::kOk);
  EXPECT_EQ(r[0].err, ErrorCode::kNoNode);  // parent "/m7" is looked up before validatePath
  ASSERT_EQ(Multi({MCreate("/m9", 9)}, &r), ErrorCode::kOk);
  EXPECT_EQ(r[0].err, ErrorCode::kBadArguments);
}

TEST_F(MultiTest, EmptyMulti) {
  std::vector<proto::MultiResult> r;
  ASSERT_EQ(Multi({}, &r), ErrorCode::kOk);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(tree_.last_zxid(), 1);
}

TEST_F(MultiTest, CreateTypeFollowsFlags) {
  extended_ = true;
  std::vector<proto::MultiResult> r;
  // createContainer with flags 0 becomes a plain create; create with flags 4 a container.
  ASSERT_EQ(Multi({MCreate("/cc0", 0, "", OpCode::kCreateContainer), MCreate("/cf4", 4),
                   MCreate("/t1", 5, "", OpCode::kCreateTtl, 1000),
                   MCreate("/t2", 0, "", OpCode::kCreateTtl, 1000)},
                  &r),
            ErrorCode::kOk);
  EXPECT_EQ(r[0].type, OpCode::kCreate);
  EXPECT_EQ(r[1].type, OpCode::kCreateContainer);
  EXPECT_EQ(std::get<proto::Create2Response>(r[1].body).path, "/cf4");
  EXPECT_EQ(r[2].type, OpCode::kCreateTtl);
  EXPECT_EQ(r[3].type, OpCode::kCreate);  // createTTL with a plain mode drops the ttl
  // Only /cf4 is a container (it is collected once it had a child).
  ASSERT_EQ(Create("/cc0/x"), ErrorCode::kOk);
  ASSERT_EQ(Create("/cf4/x"), ErrorCode::kOk);
  ASSERT_EQ(Delete("/cc0/x"), ErrorCode::kOk);
  ASSERT_EQ(Delete("/cf4/x"), ErrorCode::kOk);
  EXPECT_EQ(tree_.CollectExpired(0), std::vector<std::string>{"/cf4"});
}

TEST_F(MultiTest, MarshallingErrors) {
  extended_ = true;
  std::vector<proto::MultiResult> r;
  // TTL flags on a create record: ZooKeeper 3.8 fails the whole request (ClassCastException).
  EXPECT_EQ(Multi({MCreate("/ok"), MCreate("/t", 5)}, &r), ErrorCode::kMarshallingError);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(tree_.Exists("/ok"));
  // ... unless an earlier op already failed.
  ASSERT_EQ(Multi({MCreate("/x/y"), MCreate("/t", 5)}, &r), ErrorCode::kOk);
  EXPECT_EQ(r[1].err, ErrorCode::kRuntimeInconsistency);
  // Read ops in a multi.
  proto::MultiOp read{OpCode::kGetData, proto::PathWatchRequest{"/", false}};
  EXPECT_EQ(Multi({MCreate("/ok"), read}, &r), ErrorCode::kMarshallingError);
  EXPECT_FALSE(tree_.Exists("/ok"));
  proto::MultiOp mismatched{OpCode::kDelete, proto::SetDataRequest{"/", "", -1}};
  EXPECT_EQ(Multi({mismatched}, &r), ErrorCode::kMarshallingError);
}

TEST_F(MultiTest, AclFailureRollsBack) {
  ASSERT_EQ(Write(Req(OpCode::kCreate,
                      CreateBody("/ro", "", 0, {{proto::kPermRead, {"world", "anyone"}}}))),
            ErrorCode::kOk);
  std::vector<proto::MultiResult> r;
  ASSERT_EQ(Multi({MCreate("/ok"), MSetData("/ro", "x")}, &r), ErrorCode::kOk);
  EXPECT_EQ(r[1].err, ErrorCode::kNoAuth);
  EXPECT_FALSE(tree_.Exists("/ok"));
}

}  // namespace
}  // namespace zk::state::testing
