// Reply and notification goldens (protocol.md §2.1, §2.3, §2.6). Frames marked "captured"
// are Apache ZooKeeper 3.8.0's answers to kazoo 2.8 / the Java and C 3.8 clients on loopback;
// the rest are hand-computed from zookeeper.jute.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "proto/codec.h"
#include "proto_test_util.h"

namespace zk::proto {
namespace {

using testing::Hex;
using testing::HexOf;
using testing::MakeStat;
using testing::OpenAcl;
using testing::Payload;
using testing::ToHex;

#define ZK_OPEN_ACL_HEX "00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65"
#define ZK_ZERO_STAT_HEX                                                                  \
  "0000000000000000 0000000000000000 0000000000000000 0000000000000000 00000000 00000000" \
  "00000000 0000000000000000 00000000 00000000 0000000000000000"

struct Golden {
  std::string name;
  OpCode op;
  std::string frame;
  ReplyHeader header;
  ResponseBody body;
};

// gtest prints the case by name instead of dumping its bytes.
void PrintTo(const Golden& g, std::ostream* os) { *os << g.name; }

MultiResult Ok(OpCode t, decltype(MultiResult::body) body) {
  return MultiResult{t, ErrorCode::kOk, std::move(body)};
}
MultiResult Err(ErrorCode e) {
  return MultiResult{OpCode::kError, e, ErrorResponse{static_cast<int32_t>(e)}};
}

constexpr int64_t kT0 = 0x1a2138dd314;  // ctime of /a in the kazoo capture

std::vector<Golden> Goldens() {
  std::vector<Golden> g;
  auto add = [&g](std::string name, OpCode op, std::string_view hex, ReplyHeader h,
                  ResponseBody body) {
    g.push_back(Golden{std::move(name), op, Hex(hex), h, std::move(body)});
  };
  const Stat a_after_set = MakeStat(2, 5, kT0, 0x1a2138dd548, 2, 0, 0, 0, 1, 0, 2);
  const Stat j_stat = MakeStat(10, 10, 0x1a2138e1e63, 0x1a2138e1e63, 0, 0, 0, 0, 1, 0, 10);
  // ---- kazoo 2.8 session (captured) ----
  add("Create", OpCode::kCreate, "00000016 00000001 0000000000000002 00000000 | 00000002 2f61",
      {1, 2, 0}, CreateResponse{"/a"});
  add("GetData", OpCode::kGetData,
      "0000005a 00000002 0000000000000002 00000000 | 00000002 6869"
      "| 0000000000000002 0000000000000002 000001a2138dd314 000001a2138dd314"
      "  00000000 00000000 00000000 0000000000000000 00000002 00000000 0000000000000002",
      {2, 2, 0}, GetDataResponse{"hi", MakeStat(2, 2, kT0, kT0, 0, 0, 0, 0, 2, 0, 2)});
  add("SetData", OpCode::kSetData,
      "00000054 00000003 0000000000000003 00000000"
      "| 0000000000000002 0000000000000003 000001a2138dd314 000001a2138dd31d"
      "  00000001 00000000 00000000 0000000000000000 00000002 00000000 0000000000000002",
      {3, 3, 0}, StatResponse{MakeStat(2, 3, kT0, 0x1a2138dd31d, 1, 0, 0, 0, 2, 0, 2)});
  // Failed multi: earlier ops roll back (err 0), the failing check says BadVersion, later
  // ops say RuntimeInconsistency; the reply header err stays 0.
  add("MultiFailed", OpCode::kMulti,
      "00000040 00000004 0000000000000004 00000000"
      "| ffffffff 00 00000000 | 00000000"
      "| ffffffff 00 ffffff99 | ffffff99"
      "| ffffffff 00 fffffffe | fffffffe"
      "| ffffffff 01 ffffffff",
      {4, 4, 0},
      MultiResponse{{Err(ErrorCode::kOk), Err(ErrorCode::kBadVersion),
                     Err(ErrorCode::kRuntimeInconsistency)}});
  add("MultiOk", OpCode::kMulti,
      "00000087 00000005 0000000000000005 00000000"
      "| 00000001 00 00000000 | 00000002 2f63"
      "| 00000005 00 00000000 | 0000000000000002 0000000000000005 000001a2138dd314"
      "  000001a2138dd548 00000002 00000000 00000000 0000000000000000 00000001 00000000"
      "  0000000000000002"
      "| 0000000d 00 00000000"
      "| 00000002 00 00000000"
      "| ffffffff 01 ffffffff",
      {5, 5, 0},
      MultiResponse{{Ok(OpCode::kCreate, CreateResponse{"/c"}),
                     Ok(OpCode::kSetData, StatResponse{a_after_set}),
                     Ok(OpCode::kCheck, EmptyResponse{}), Ok(OpCode::kDelete, EmptyResponse{})}});
  add("ExistsNoNode", OpCode::kExists, "00000010 00000006 0000000000000005 ffffff9b", {6, 5, -101},
      EmptyResponse{});
  add("GetChildren", OpCode::kGetChildren,
      "00000026 00000007 0000000000000005 00000000"
      "| 00000002 00000001 61 00000009 7a6f6f6b6565706572",
      {7, 5, 0}, GetChildrenResponse{{"a", "zookeeper"}});
  add("GetChildren2", OpCode::kGetChildren2,
      "0000006a 00000008 0000000000000005 00000000"
      "| 00000002 00000001 61 00000009 7a6f6f6b6565706572"
      "| 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
      "  00000000 00000002 00000000 0000000000000000 00000000 00000002 0000000000000005",
      {8, 5, 0},
      GetChildren2Response{{"a", "zookeeper"}, MakeStat(0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 5)});
  add("GetAcl", OpCode::kGetAcl,
      "0000006f 00000009 0000000000000005 00000000 | " ZK_OPEN_ACL_HEX
      "| 0000000000000002 0000000000000005 000001a2138dd314 000001a2138dd548"
      "  00000002 00000000 00000000 0000000000000000 00000001 00000000 0000000000000002",
      {9, 5, 0}, GetAclResponse{OpenAcl(), a_after_set});
  add("Create2EphemeralSequential", OpCode::kCreate2,
      "00000065 0000000a 0000000000000006 00000000 | 0000000d 2f652d30303030303030303032"
      "| 0000000000000006 0000000000000006 000001a2138dd54f 000001a2138dd54f"
      "  00000000 00000000 00000000 0100000d94520000 00000000 00000000 0000000000000006",
      {10, 6, 0},
      Create2Response{"/e-0000000002", MakeStat(6, 6, 0x1a2138dd54f, 0x1a2138dd54f, 0, 0, 0,
                                                0x100000d94520000, 0, 0, 6)});
  add("Sync", OpCode::kSync, "00000016 0000000b 0000000000000006 00000000 | 00000002 2f61",
      {11, 6, 0}, PathResponse{"/a"});
  add("Auth", OpCode::kAuth, "00000010 fffffffc 0000000000000000 00000000", {kAuthXid, 0, 0},
      EmptyResponse{});
  add("Delete", OpCode::kDelete, "00000010 0000000c 0000000000000007 00000000", {12, 7, 0},
      EmptyResponse{});
  add("CloseSession", OpCode::kCloseSession, "00000010 0000000d 0000000000000008 00000000",
      {13, 8, 0}, EmptyResponse{});
  // ---- Java 3.8 client session (captured) ----
  add("CreateContainer", OpCode::kCreateContainer,
      "0000005b 00000002 000000000000000b 00000000 | 00000003 2f6a63"
      "| 000000000000000b 000000000000000b 000001a2138e1f30 000001a2138e1f30"
      "  00000000 00000000 00000000 0000000000000000 00000000 00000000 000000000000000b",
      {2, 0xb, 0},
      Create2Response{"/jc", MakeStat(11, 11, 0x1a2138e1f30, 0x1a2138e1f30, 0, 0, 0, 0, 0, 0, 11)});
  // extendedTypesEnabled is off by default: createTTL answers Unimplemented.
  add("CreateTtlUnimplemented", OpCode::kCreateTtl, "00000010 00000003 000000000000000c fffffffa",
      {3, 0xc, -6}, EmptyResponse{});
  add("GetDataJava", OpCode::kGetData,
      "00000059 00000004 000000000000000c 00000000 | 00000001 64"
      "| 000000000000000a 000000000000000a 000001a2138e1e63 000001a2138e1e63"
      "  00000000 00000000 00000000 0000000000000000 00000001 00000000 000000000000000a",
      {4, 0xc, 0}, GetDataResponse{"d", j_stat});
  add("GetChildrenEmpty", OpCode::kGetChildren,
      "00000014 00000006 000000000000000c 00000000 | 00000000", {6, 0xc, 0}, GetChildrenResponse{});
  add("SetWatches", OpCode::kSetWatches, "00000010 00000007 000000000000000c 00000000", {7, 0xc, 0},
      EmptyResponse{});
  add("AddWatch", OpCode::kAddWatch, "00000014 00000008 000000000000000c 00000000 | 00000000",
      {8, 0xc, 0}, ErrorResponse{0});
  add("SetWatches2", OpCode::kSetWatches2, "00000010 0000000a 000000000000000c 00000000",
      {10, 0xc, 0}, EmptyResponse{});
  // multiRead errors are per op: the missing node fails alone.
  add("MultiRead", OpCode::kMultiRead,
      "0000009d 0000000b 000000000000000c 00000000"
      "| 00000008 00 00000000 | 00000003 00000002 6a63 00000001 6a 00000009 7a6f6f6b6565706572"
      "| ffffffff 00 ffffff9b | ffffff9b"
      "| 00000004 00 00000000 | 00000001 64"
      "  000000000000000a 000000000000000a 000001a2138e1e63 000001a2138e1e63"
      "  00000000 00000000 00000000 0000000000000000 00000001 00000000 000000000000000a"
      "| ffffffff 01 ffffffff",
      {11, 0xc, 0},
      MultiResponse{{Ok(OpCode::kGetChildren, GetChildrenResponse{{"jc", "j", "zookeeper"}}),
                     Err(ErrorCode::kNoNode), Ok(OpCode::kGetData, GetDataResponse{"d", j_stat})}});
  add("WhoAmI", OpCode::kWhoAmI,
      "00000027 0000000c 000000000000000c 00000000 | 00000001 00000002 6970"
      "  00000009 3132372e302e302e31",
      {12, 0xc, 0}, WhoAmIResponse{{ClientInfo{"ip", "127.0.0.1"}}});
  add("GetEphemerals", OpCode::kGetEphemerals,
      "00000014 0000000d 000000000000000c 00000000 | 00000000", {13, 0xc, 0}, StringListResponse{});
  add("GetAllChildrenNumber", OpCode::kGetAllChildrenNumber,
      "00000014 0000000e 000000000000000c 00000000 | 00000005", {14, 0xc, 0}, CountResponse{5});
  add("RemoveWatches", OpCode::kRemoveWatches, "00000010 0000000f 000000000000000c 00000000",
      {15, 0xc, 0}, EmptyResponse{});
  add("SetAcl", OpCode::kSetAcl,
      "00000054 00000010 000000000000000d 00000000"
      "| 000000000000000a 000000000000000a 000001a2138e1e63 000001a2138e1e63"
      "  00000000 00000000 00000001 0000000000000000 00000001 00000000 000000000000000a",
      {16, 0xd, 0},
      StatResponse{MakeStat(10, 10, 0x1a2138e1e63, 0x1a2138e1e63, 0, 0, 1, 0, 1, 0, 10)});
  // getConfig on a standalone server without dynamic config: empty data, aversion -1.
  add("GetConfig", OpCode::kGetData,
      "00000058 00000011 000000000000000d 00000000 | 00000000"
      "| 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
      "  00000000 00000000 ffffffff 0000000000000000 00000000 00000000 0000000000000000",
      {17, 0xd, 0}, GetDataResponse{"", MakeStat(0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0)});
  add("CloseSessionJava", OpCode::kCloseSession, "00000010 00000012 000000000000000e 00000000",
      {18, 0xe, 0}, EmptyResponse{});
  // ---- C 3.8 client (captured): setWatches answered with xid -8 ----
  add("SetWatchesC", OpCode::kSetWatches, "00000010 fffffff8 0000000000000010 00000000",
      {kSetWatchesXid, 0x10, 0}, EmptyResponse{});
  // ---- raw socket (captured): a truncated getData body gets MarshallingError ----
  add("MarshallingError", OpCode::kGetData, "00000010 00000004 0000000000000016 fffffffb",
      {4, 0x16, -5}, EmptyResponse{});
  // ---- hand-computed ----
  add("Ping", OpCode::kPing, "00000010 fffffffe 0000000000000020 00000000", {kPingXid, 0x20, 0},
      EmptyResponse{});
  add("Reconfig", OpCode::kReconfig,
      "00000059 00000006 0000000000000030 00000000 | 00000001 78 | " ZK_ZERO_STAT_HEX, {6, 0x30, 0},
      GetDataResponse{"x", Stat{}});
  add("CheckWatchesNoWatcher", OpCode::kCheckWatches, "00000010 00000005 0000000000000001 ffffff87",
      {5, 1, -121}, EmptyResponse{});
  add("ExistsOk", OpCode::kExists,
      "00000054 00000006 0000000000000007 00000000"
      "| 0000000000000002 0000000000000003 0000000000000004 0000000000000005"
      "  00000001 00000002 00000003 0000000000000000 00000004 00000005 0000000000000006",
      {6, 7, 0}, StatResponse{MakeStat(2, 3, 4, 5, 1, 2, 3, 0, 4, 5, 6)});
  add("DeleteContainer", OpCode::kDeleteContainer, "00000010 00000007 0000000000000041 00000000",
      {7, 0x41, 0}, EmptyResponse{});
  add("CreateTtlOk", OpCode::kCreateTtl,
      "0000005b 00000003 0000000000000042 00000000 | 00000003 2f6a74 | " ZK_ZERO_STAT_HEX,
      {3, 0x42, 0}, Create2Response{"/jt", Stat{}});
  add("GetEphemeralsTwo", OpCode::kGetEphemerals,
      "00000022 0000000d 0000000000000043 00000000 | 00000002 00000002 2f65 00000004 2f612f62",
      {13, 0x43, 0}, StringListResponse{{"/e", "/a/b"}});
  // Unknown auth scheme: AuthFailed with the auth xid, then ZooKeeper closes the session.
  add("AuthFailed", OpCode::kAuth, "00000010 fffffffc 0000000000000000 ffffff8d",
      {kAuthXid, 0, -115}, EmptyResponse{});
  add("MultiCreate2", OpCode::kMulti,
      "0000006c 00000009 0000000000000040 00000000"
      "| 0000000f 00 00000000 | 00000002 2f61 | " ZK_ZERO_STAT_HEX "| ffffffff 01 ffffffff",
      {9, 0x40, 0}, MultiResponse{{Ok(OpCode::kCreate2, Create2Response{"/a", Stat{}})}});
  add("MultiEmpty", OpCode::kMulti,
      "00000019 00000009 0000000000000040 00000000"
      "| ffffffff 01 ffffffff",
      {9, 0x40, 0}, MultiResponse{});
  return g;
}

class ReplyGolden : public ::testing::TestWithParam<Golden> {};

TEST_P(ReplyGolden, EncodeGivesTheWireBytes) {
  const Golden& g = GetParam();
  EXPECT_EQ(ToHex(EncodeReply(g.header, g.body)), ToHex(g.frame));
}

TEST_P(ReplyGolden, DecodeThenEncodeIsIdentity) {
  const Golden& g = GetParam();
  ReplyHeader h;
  ResponseBody body;
  Status s = DecodeReply(Payload(g.frame), g.op, &h, &body);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(h.xid, g.header.xid);
  EXPECT_EQ(h.zxid, g.header.zxid);
  EXPECT_EQ(h.err, g.header.err);
  EXPECT_EQ(body.index(), g.body.index());
  EXPECT_EQ(ToHex(EncodeReply(h, body)), ToHex(g.frame));
}

TEST_P(ReplyGolden, EveryTruncationFailsCleanly) {
  const Golden& g = GetParam();
  std::string_view payload = Payload(g.frame);
  for (size_t n = 0; n < payload.size(); ++n) {
    std::string cut(payload.substr(0, n));
    ReplyHeader h;
    ResponseBody body;
    EXPECT_FALSE(DecodeReply(cut, g.op, &h, &body).ok()) << "length " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(AllOps, ReplyGolden, ::testing::ValuesIn(Goldens()),
                         [](const ::testing::TestParamInfo<Golden>& i) { return i.param.name; });

TEST(ReplyDecode, MultiFailedFields) {
  const Golden g = Goldens()[3];
  ASSERT_EQ(g.name, "MultiFailed");
  ReplyHeader h;
  ResponseBody body;
  ASSERT_TRUE(DecodeReply(Payload(g.frame), OpCode::kMulti, &h, &body).ok());
  const auto& m = std::get<MultiResponse>(body);
  ASSERT_EQ(m.results.size(), 3u);
  EXPECT_EQ(m.results[0].type, OpCode::kError);
  EXPECT_EQ(m.results[0].err, ErrorCode::kOk);
  EXPECT_EQ(m.results[1].err, ErrorCode::kBadVersion);
  EXPECT_EQ(std::get<ErrorResponse>(m.results[1].body).err, -103);
  EXPECT_EQ(m.results[2].err, ErrorCode::kRuntimeInconsistency);
}

TEST(ReplyDecode, GetDataFields) {
  const Golden g = Goldens()[1];
  ASSERT_EQ(g.name, "GetData");
  ReplyHeader h;
  ResponseBody body;
  ASSERT_TRUE(DecodeReply(Payload(g.frame), OpCode::kGetData, &h, &body).ok());
  const auto& d = std::get<GetDataResponse>(body);
  EXPECT_EQ(d.data, "hi");
  EXPECT_EQ(d.stat.data_length, 2);
  EXPECT_EQ(d.stat.ctime, kT0);
  EXPECT_EQ(d.stat.pzxid, 2);
}

TEST(ReplyEncode, NoBodyWhenErrIsSet) {
  std::string f = EncodeReply({7, 9, -101}, GetDataResponse{"data", Stat{}});
  EXPECT_EQ(ToHex(f), HexOf("00000010 00000007 0000000000000009 ffffff9b"));
}

TEST(ReplyEncode, MultiBodyEvenWhenErrIsSet) {
  std::string f = EncodeReply({7, 9, -5}, MultiResponse{});
  EXPECT_EQ(ToHex(f), HexOf("00000019 00000007 0000000000000009 fffffffb | ffffffff 01 ffffffff"));
  ReplyHeader h;
  ResponseBody body;
  ASSERT_TRUE(DecodeReply(Payload(f), OpCode::kMulti, &h, &body).ok());
  EXPECT_TRUE(std::get<MultiResponse>(body).results.empty());
  // A header-only failed multi (ZooKeeper when the record was never built) decodes too.
  ASSERT_TRUE(DecodeReply(Payload(f).substr(0, 16), OpCode::kMulti, &h, &body).ok());
  EXPECT_TRUE(std::get<MultiResponse>(body).results.empty());
}

TEST(ReplyEncode, ErrorEntryAlwaysCarriesItsCode) {
  // Whatever body an error entry holds, the wire gets ErrorResponse{err}.
  MultiResponse m{{MultiResult{OpCode::kError, ErrorCode::kNoNode, EmptyResponse{}}}};
  EXPECT_EQ(ToHex(EncodeReply({1, 2, 0}, m)),
            HexOf("00000026 00000001 0000000000000002 00000000"
                  "| ffffffff 00 ffffff9b | ffffff9b | ffffffff 01 ffffffff"));
}

TEST(ReplyEncode, UnimplementedOpReply) {
  // ZooKeeper 3.8.0 answered op 999 with zxid -1 and Unimplemented (captured).
  EXPECT_EQ(ToHex(EncodeReply({5, -1, -6}, EmptyResponse{})),
            HexOf("00000010 00000005 ffffffffffffffff fffffffa"));
}

TEST(ReplyDecode, UnknownResultTypeInMultiFails) {
  std::string payload =
      Hex("00000001 0000000000000002 00000000 | 00000003 00 00000000 |"
          "ffffffff 01 ffffffff");
  ReplyHeader h;
  ResponseBody body;
  EXPECT_EQ(DecodeReply(payload, OpCode::kMulti, &h, &body).code(), Status::Code::kInvalidArgument);
}

TEST(ReplyDecode, OpWithoutReplyShapeIsNotSupported) {
  std::string payload = Hex("00000001 0000000000000002 00000000");
  ReplyHeader h;
  ResponseBody body;
  EXPECT_EQ(DecodeReply(payload, OpCode::kSasl, &h, &body).code(), Status::Code::kNotSupported);
}

TEST(ReplyDecode, HugeCountsFail) {
  ReplyHeader h;
  ResponseBody body;
  for (OpCode op : {OpCode::kGetChildren, OpCode::kWhoAmI, OpCode::kGetAcl}) {
    std::string payload = Hex("00000001 0000000000000002 00000000 | 7fffffff 00000000");
    EXPECT_EQ(DecodeReply(payload, op, &h, &body).code(), Status::Code::kInvalidArgument)
        << OpName(op);
  }
}

// ---- notifications ----

TEST(WatcherEvent, KazooDataChangedGolden) {
  // Sent before the setData reply that caused it (captured).
  const std::string frame =
      Hex("0000001e ffffffff ffffffffffffffff 00000000 | 00000003 00000003 00000002 2f61");
  WatcherEvent e{EventType::kNodeDataChanged, KeeperState::kSyncConnected, "/a"};
  EXPECT_EQ(ToHex(EncodeWatcherEvent(e)), ToHex(frame));
  WatcherEvent back;
  ASSERT_TRUE(DecodeWatcherEvent(Payload(frame), &back).ok());
  EXPECT_EQ(back.type, EventType::kNodeDataChanged);
  EXPECT_EQ(back.state, KeeperState::kSyncConnected);
  EXPECT_EQ(back.path, "/a");
}

TEST(WatcherEvent, CNodeDeletedGolden) {
  // The ephemeral /cc going away with its session (captured, C client).
  const std::string frame =
      Hex("0000001f ffffffff ffffffffffffffff 00000000 | 00000002 00000003 00000003 2f6363");
  WatcherEvent e{EventType::kNodeDeleted, KeeperState::kSyncConnected, "/cc"};
  EXPECT_EQ(ToHex(EncodeWatcherEvent(e)), ToHex(frame));
}

TEST(WatcherEvent, RejectsOtherXidsAndTruncation) {
  const std::string frame = EncodeWatcherEvent(
      WatcherEvent{EventType::kNodeChildrenChanged, KeeperState::kSyncConnected, "/x"});
  std::string_view payload = Payload(frame);
  WatcherEvent e;
  for (size_t n = 0; n < payload.size(); ++n) {
    std::string cut(payload.substr(0, n));
    EXPECT_FALSE(DecodeWatcherEvent(cut, &e).ok()) << n;
  }
  std::string other(payload);
  other[3] = 5;  // xid 0xffffff05
  EXPECT_FALSE(DecodeWatcherEvent(other, &e).ok());
}

}  // namespace
}  // namespace zk::proto
