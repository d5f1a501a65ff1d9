// Handshake goldens (protocol.md §2.4, §2.5). The 45-byte requests and the 37-byte reply were
// captured on loopback between kazoo 2.8 / the Java 3.8 client and Apache ZooKeeper 3.8.0.
#include <gtest/gtest.h>

#include "proto/codec.h"
#include "proto_test_util.h"

namespace zk::proto {
namespace {

using testing::Hex;
using testing::HexOf;
using testing::Payload;
using testing::ToHex;

// kazoo 2.8, new session (captured).
const std::string kKazooConnect =
    Hex("0000002d"                                   // length 45
        "00000000"                                   // protocolVersion
        "0000000000000000"                           // lastZxidSeen
        "00002710"                                   // timeOut 10000
        "0000000000000000"                           // sessionId
        "00000010 00000000000000000000000000000000"  // passwd: 16 zero bytes
        "00");                                       // readOnly false

// Java 3.8 client re-attaching session 0x100000d94520001 after a dropped socket (captured).
const std::string kJavaReconnect =
    Hex("0000002d 00000000 000000000000000c 00002710 0100000d94520001"
        "00000010 efb6f3f3d9f32c1e0fe527a17e325793 00");

// ZooKeeper 3.8.0's answer to kazoo (captured): 37 bytes, readOnly echoed because asked.
const std::string kServerReply =
    Hex("00000025 00000000 00002710 0100000d94520000"
        "00000010 dc95f9f339a84dd91aa2c075aaa942c6 00");

TEST(ConnectRequest, KazooGolden) {
  ConnectRequest c;
  ASSERT_TRUE(DecodeConnectRequest(Payload(kKazooConnect), &c).ok());
  EXPECT_EQ(c.protocol_version, 0);
  EXPECT_EQ(c.last_zxid_seen, 0);
  EXPECT_EQ(c.timeout_ms, 10000);
  EXPECT_EQ(c.session_id, 0);
  EXPECT_EQ(c.passwd, std::string(16, '\0'));
  ASSERT_TRUE(c.read_only.has_value());
  EXPECT_FALSE(*c.read_only);
  EXPECT_EQ(ToHex(EncodeConnectRequest(c)), ToHex(kKazooConnect));
}

TEST(ConnectRequest, JavaReconnectGolden) {
  ConnectRequest c;
  ASSERT_TRUE(DecodeConnectRequest(Payload(kJavaReconnect), &c).ok());
  EXPECT_EQ(c.last_zxid_seen, 0xc);
  EXPECT_EQ(c.session_id, 0x100000d94520001);
  EXPECT_EQ(ToHex(c.passwd), HexOf("efb6f3f3d9f32c1e0fe527a17e325793"));
  EXPECT_EQ(c.read_only, false);
}

TEST(ConnectRequest, FortyFourBytesHasNoReadOnly) {
  // node-zookeeper-client sends the jute record alone (hand-computed).
  const std::string frame =
      Hex("0000002c 00000000 0000000000000005 00007530 0000000000000000"
          "00000010 00000000000000000000000000000000");
  ConnectRequest c;
  c.read_only = true;
  ASSERT_TRUE(DecodeConnectRequest(Payload(frame), &c).ok());
  EXPECT_EQ(c.last_zxid_seen, 5);
  EXPECT_EQ(c.timeout_ms, 30000);
  EXPECT_FALSE(c.read_only.has_value());
  EXPECT_EQ(ToHex(EncodeConnectRequest(c)), ToHex(frame));
}

TEST(ConnectRequest, ReadOnlyTrue) {
  std::string payload(Payload(kKazooConnect));
  payload.back() = 1;
  ConnectRequest c;
  ASSERT_TRUE(DecodeConnectRequest(payload, &c).ok());
  EXPECT_EQ(c.read_only, true);
}

TEST(ConnectRequest, TrailingBytesIgnoredLikeZooKeeper) {
  // processConnectRequest stops after readOnly; anything after it is never read.
  std::string payload = std::string(Payload(kKazooConnect)) + "xyz";
  ConnectRequest c;
  ASSERT_TRUE(DecodeConnectRequest(payload, &c).ok());
  EXPECT_EQ(c.read_only, false);
}

TEST(ConnectRequest, EveryTruncationBelow44Fails) {
  std::string_view payload = Payload(kKazooConnect);
  for (size_t n = 0; n < 44; ++n) {
    ConnectRequest c;
    Status s = DecodeConnectRequest(payload.substr(0, n), &c);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << n;
  }
}

TEST(ConnectRequest, PasswordLengthIsBounded) {
  // passwd length 0x7fffffff with nothing behind it.
  const std::string payload =
      Hex("00000000 0000000000000000 00002710 0000000000000000 7fffffff 00");
  ConnectRequest c;
  EXPECT_EQ(DecodeConnectRequest(payload, &c).code(), Status::Code::kInvalidArgument);
}

TEST(ConnectRequest, NullPasswordReadsEmpty) {
  const std::string payload = Hex("00000000 0000000000000000 00002710 0000000000000000 ffffffff");
  ConnectRequest c;
  ASSERT_TRUE(DecodeConnectRequest(payload, &c).ok());
  EXPECT_EQ(c.passwd, "");
  EXPECT_FALSE(c.read_only.has_value());
}

TEST(ConnectResponse, ServerGolden37) {
  ConnectResponse r;
  r.protocol_version = 0;
  r.timeout_ms = 10000;
  r.session_id = 0x100000d94520000;
  r.passwd = Hex("dc95f9f339a84dd91aa2c075aaa942c6");
  r.read_only = false;
  EXPECT_EQ(ToHex(EncodeConnectResponse(r)), ToHex(kServerReply));
  ConnectResponse back;
  ASSERT_TRUE(DecodeConnectResponse(Payload(kServerReply), &back).ok());
  EXPECT_EQ(back.session_id, r.session_id);
  EXPECT_EQ(back.passwd, r.passwd);
  EXPECT_EQ(back.read_only, false);
}

TEST(ConnectResponse, ThirtySixBytesWithoutReadOnly) {
  ConnectResponse r;
  r.timeout_ms = 10000;
  r.session_id = 0x100000d94520000;
  r.passwd = Hex("dc95f9f339a84dd91aa2c075aaa942c6");
  std::string frame = EncodeConnectResponse(r);
  EXPECT_EQ(ToHex(frame), ToHex(kServerReply.substr(0, 40)).replace(0, 8, "00000024"));
  ConnectResponse back;
  ASSERT_TRUE(DecodeConnectResponse(Payload(frame), &back).ok());
  EXPECT_FALSE(back.read_only.has_value());
}

TEST(ConnectResponse, ExpiredSessionReply) {
  // Unknown session or wrong password: timeOut 0, sessionId 0, 16 zero bytes (§1).
  ConnectResponse r;
  r.passwd = std::string(16, '\0');
  r.read_only = false;
  EXPECT_EQ(ToHex(EncodeConnectResponse(r)), HexOf("00000025 00000000 00000000 0000000000000000"
                                                   "00000010 00000000000000000000000000000000 00"));
}

TEST(ConnectResponse, EveryTruncationBelow36Fails) {
  std::string_view payload = Payload(kServerReply);
  for (size_t n = 0; n < 36; ++n) {
    ConnectResponse r;
    EXPECT_FALSE(DecodeConnectResponse(payload.substr(0, n), &r).ok()) << n;
  }
}

}  // namespace
}  // namespace zk::proto
