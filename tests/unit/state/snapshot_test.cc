// Serialize/Deserialize round trips, corruption detection, and Digest determinism.
#include <random>

#include "tree_helpers.h"

namespace zk::state::testing {
namespace {

class SnapshotTest : public TreeTest {
 protected:
  void Populate() {
    extended_ = true;
    ASSERT_EQ(Create("/a", "alpha"), ErrorCode::kOk);
    ASSERT_EQ(Create("/a/b", std::string(1000, 'x')), ErrorCode::kOk);
    ASSERT_EQ(Create("/a/e", "", 1), ErrorCode::kOk);
    ASSERT_EQ(Create("/a/s-", "", 2), ErrorCode::kOk);
    ASSERT_EQ(Write(Req(OpCode::kCreateContainer, CreateBody("/c", "", 4))), ErrorCode::kOk);
    ASSERT_EQ(Write(Req(OpCode::kCreateTtl, CreateBody("/t", "", 5, OpenAcl(), 500))),
              ErrorCode::kOk);
    ASSERT_EQ(Write(Req(OpCode::kCreate, CreateBody("/d", "", 0,
                                                    {{proto::kPermRead, {"digest", "u:h"}},
                                                     {proto::kPermAll, {"ip", "10.0.0.0/8"}}}))),
              ErrorCode::kOk);
    ASSERT_EQ(SetData("/a", "beta"), ErrorCode::kOk);
    ASSERT_EQ(Delete("/a/s-0000000002"), ErrorCode::kOk);
    tree_.SetConfig("server.1=x", 7, 9);
  }
};

TEST_F(SnapshotTest, RoundTripKeepsEverything) {
  Populate();
  const std::string bytes = tree_.Serialize();
  DataTree copy;
  ASSERT_TRUE(copy.Deserialize(bytes).ok());
  EXPECT_EQ(copy.Digest(), tree_.Digest());
  EXPECT_EQ(copy.Serialize(), bytes);  // deterministic bytes
  EXPECT_EQ(copy.node_count(), tree_.node_count());
  EXPECT_EQ(copy.approximate_data_size(), tree_.approximate_data_size());
  EXPECT_EQ(copy.ephemeral_count(), 1u);
  EXPECT_EQ(copy.EphemeralsBySession(), tree_.EphemeralsBySession());
  EXPECT_EQ(copy.last_zxid(), tree_.last_zxid());
  for (const char* path :
       {"/", "/zookeeper", "/zookeeper/config", "/a", "/a/b", "/a/e", "/c", "/t", "/d"}) {
    proto::Stat a, b;
    ASSERT_TRUE(tree_.GetStat(path, &a)) << path;
    ASSERT_TRUE(copy.GetStat(path, &b)) << path;
    EXPECT_EQ(a, b) << path;
  }
  proto::ResponseBody resp;
  const AuthContext inside{{{"ip", "10.1.2.3"}}};
  ASSERT_EQ(copy.Read(Req(OpCode::kGetAcl, proto::PathRequest{"/d"}), inside, super_, 0, &resp),
            ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::GetAclResponse>(resp).acl.size(), 2u);
  // Containers, TTLs and the sequence counter survive.
  EXPECT_EQ(copy.CollectExpired(2'000'000), std::vector<std::string>{"/t"});
  proto::ResponseBody created;
  TxnContext ctx = Ctx();
  ASSERT_EQ(
      copy.ApplyWrite(Req(OpCode::kCreate, CreateBody("/a/s-", "", 2)), ctx, &created, &triggers_),
      ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::CreateResponse>(created).path, "/a/s-0000000003");
}

TEST_F(SnapshotTest, FreshTreeRoundTrip) {
  DataTree copy;
  ASSERT_TRUE(copy.Deserialize(tree_.Serialize()).ok());
  EXPECT_EQ(copy.Digest(), tree_.Digest());
  EXPECT_EQ(copy.node_count(), 5u);
  EXPECT_EQ(copy.approximate_data_size(), 44);
}

TEST_F(SnapshotTest, EveryTruncationIsRejected) {
  Populate();
  const std::string bytes = tree_.Serialize();
  DataTree copy;
  const uint64_t fresh = copy.Digest();
  for (size_t len = 0; len < bytes.size(); len += (len < 200 ? 1 : 97)) {
    const Status s = copy.Deserialize(std::string_view(bytes).substr(0, len));
    ASSERT_FALSE(s.ok()) << len;
    EXPECT_EQ(s.code(), Status::Code::kCorruption);
    EXPECT_NE(s.message().find("offset"), std::string::npos) << s.message();
  }
  EXPECT_EQ(copy.Digest(), fresh);  // unchanged by failed loads
  EXPECT_FALSE(copy.Deserialize(bytes + "x").ok());
}

TEST_F(SnapshotTest, EveryByteFlipIsRejected) {
  Populate();
  const std::string bytes = tree_.Serialize();
  DataTree copy;
  for (size_t i = 0; i < bytes.size(); i += (i < 400 ? 1 : 13)) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    const Status s = copy.Deserialize(bad);
    ASSERT_FALSE(s.ok()) << "flip at " << i;
    EXPECT_EQ(s.code(), Status::Code::kCorruption);
  }
  EXPECT_EQ(copy.node_count(), 5u);
}

TEST_F(SnapshotTest, MessagesNameWhatAndWhere) {
  const std::string bytes = tree_.Serialize();
  DataTree copy;
  Status s = copy.Deserialize("garbage");
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.message();
  std::string v2 = bytes;
  v2[11] = 2;  // format version
  s = copy.Deserialize(v2);
  EXPECT_NE(s.message().find("unsupported format version 2 at offset 8"), std::string::npos)
      << s.message();
  std::string flipped = bytes;
  flipped[flipped.size() - 1] ^= 1;
  s = copy.Deserialize(flipped);
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.message();
}

// Random op sequences (seeded, so reproducible) applied to two trees in the same order give
// the same digest; a different sequence gives a different one.
TEST_F(SnapshotTest, SameOpsSameDigest) {
  auto run = [](uint32_t seed, DataTree* tree) {
    std::mt19937 rng(seed);
    AuthContext auth{{{"ip", "127.0.0.1"}}};
    std::string super;
    std::vector<std::string> paths = {"/"};
    std::vector<Trigger> triggers;
    for (int64_t zxid = 1; zxid <= 600; ++zxid) {
      TxnContext ctx;
      ctx.zxid = zxid;
      ctx.time_ms = 1000 * zxid;
      ctx.session_id = 1 + rng() % 3;
      ctx.auth = &auth;
      ctx.super_digest = &super;
      ctx.extended_types_enabled = true;
      const std::string& base = paths[rng() % paths.size()];
      const std::string child = (base == "/" ? "" : base) + "/n" + std::to_string(rng() % 6);
      proto::ResponseBody resp;
      proto::Request req;
      switch (rng() % 7) {
        case 0:
        case 1:
          req = Req(OpCode::kCreate2,
                    CreateBody(child, std::to_string(zxid), static_cast<int32_t>(rng() % 4)));
          break;
        case 2:
          req = Req(OpCode::kDelete, proto::DeleteRequest{base, -1});
          break;
        case 3:
          req =
              Req(OpCode::kSetData, proto::SetDataRequest{base, std::string(rng() % 50, 'd'), -1});
          break;
        case 4:
          req = Req(OpCode::kSetAcl, proto::SetAclRequest{base, OpenAcl(), -1});
          break;
        case 5:
          req =
              Req(OpCode::kMulti, proto::MultiRequest{{MCreate(child + "m"), MSetData(base, "m"),
                                                       MDelete(child + (rng() % 2 ? "m" : "x"))}});
          break;
        default:
          tree->KillSession(1 + rng() % 3, zxid, ctx.time_ms, &triggers);
          continue;
      }
      if (tree->ApplyWrite(req, ctx, &resp, &triggers) == ErrorCode::kOk) {
        if (const auto* c = std::get_if<proto::Create2Response>(&resp)) paths.push_back(c->path);
      }
      // Forget deleted paths now and then so the walk stays on live nodes.
      paths.erase(std::remove_if(paths.begin(), paths.end(),
                                 [&](const std::string& p) { return !tree->Exists(p); }),
                  paths.end());
    }
  };
  for (uint32_t seed : {1u, 2u, 3u, 42u}) {
    DataTree a, b, c;
    run(seed, &a);
    run(seed, &b);
    run(seed + 100, &c);
    EXPECT_GT(a.node_count(), 5u);
    EXPECT_EQ(a.Digest(), b.Digest()) << seed;
    EXPECT_EQ(a.Serialize(), b.Serialize()) << seed;
    EXPECT_NE(a.Digest(), c.Digest()) << seed;
    DataTree restored;
    ASSERT_TRUE(restored.Deserialize(a.Serialize()).ok());
    EXPECT_EQ(restored.Digest(), a.Digest());
  }
}

TEST_F(SnapshotTest, DigestSeesEveryField) {
  ASSERT_EQ(Create("/a", "x"), ErrorCode::kOk);
  uint64_t last = tree_.Digest();
  auto changed = [&]() {
    const uint64_t now = tree_.Digest();
    const bool differs = now != last;
    last = now;
    return differs;
  };
  ASSERT_EQ(SetData("/a", "x"), ErrorCode::kOk);  // same data, new version/mzxid
  EXPECT_TRUE(changed());
  ASSERT_EQ(SetAcl("/a", {{proto::kPermRead, {"world", "anyone"}}}), ErrorCode::kOk);
  EXPECT_TRUE(changed());
  ASSERT_EQ(Create("/a/b"), ErrorCode::kNoAuth);
  EXPECT_FALSE(changed());
  tree_.SetConfig("new config", 0, 0);  // not part of the digest
  EXPECT_FALSE(changed());
  ASSERT_EQ(Create("/b"), ErrorCode::kOk);
  EXPECT_TRUE(changed());
}

}  // namespace
}  // namespace zk::state::testing
