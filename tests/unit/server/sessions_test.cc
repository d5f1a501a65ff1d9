#include "proto/jute.h"
#include "server/sessions.h"

#include <gtest/gtest.h>

#include "server/txn.h"

namespace zk::server {
namespace {

TEST(ExpiryTracker, ExpiresAtTheTickAfterTheTimeout) {
  ExpiryTracker t(100);
  t.Touch(1, 1000, 0);  // deadline rounded up to the next tick: 1100
  EXPECT_TRUE(t.TakeExpired(1099).empty());
  EXPECT_EQ(t.TakeExpired(1100), std::vector<int64_t>{1});
  EXPECT_TRUE(t.TakeExpired(5000).empty()) << "an expired session is reported once";
}

TEST(ExpiryTracker, TouchPostponesAndRemoveForgets) {
  ExpiryTracker t(100);
  t.Touch(1, 1000, 0);
  t.Touch(2, 1000, 0);
  t.Touch(1, 1000, 900);  // now due at 2000
  EXPECT_EQ(t.TakeExpired(1500), std::vector<int64_t>{2});
  t.Remove(1);
  EXPECT_TRUE(t.TakeExpired(10000).empty());
  EXPECT_EQ(t.size(), 0u);
}

TEST(SessionTable, SerializeRoundTrip) {
  SessionTable a;
  a.Add({0x100, 30000, std::string(16, 'p')});
  a.Add({0x200, 4000, std::string(16, 'q')});
  std::string bytes;
  a.Serialize(&bytes);
  bytes += "tail";
  SessionTable b;
  size_t consumed = 0;
  ASSERT_TRUE(b.Deserialize(bytes, &consumed).ok());
  EXPECT_EQ(consumed, bytes.size() - 4);
  ASSERT_NE(b.Find(0x200), nullptr);
  EXPECT_EQ(b.Find(0x200)->timeout_ms, 4000);
  EXPECT_EQ(b.Find(0x100)->passwd, std::string(16, 'p'));
  EXPECT_FALSE(b.Deserialize(bytes.substr(0, 10), &consumed).ok());
}

TEST(SessionTable, OwnersRoundTripAndOldSnapshotsLoadWithoutThem) {
  SessionTable a;
  a.Add({0x100, 30000, std::string(16, 'p'), 2});
  a.SetOwner(0x100, 1);
  std::string bytes;
  a.Serialize(&bytes);
  SessionTable b;
  size_t consumed = 0;
  ASSERT_TRUE(b.Deserialize(bytes, &consumed).ok());
  EXPECT_EQ(b.Find(0x100)->owner, 1);

  // The format before owners: i32 count, then id, timeout, passwd per session.
  proto::Writer w;
  w.WriteInt(1);
  w.WriteLong(0x300);
  w.WriteInt(5000);
  w.WriteBuffer(std::string(16, 'r'));
  ASSERT_TRUE(b.Deserialize(w.data(), &consumed).ok());
  EXPECT_EQ(consumed, w.data().size());
  ASSERT_NE(b.Find(0x300), nullptr);
  EXPECT_EQ(b.Find(0x300)->owner, -1);
}

TEST(SessionIds, CarryTheServerIdInTheTopByte) {
  int64_t id = InitialSessionId(2, 1700000000000);
  EXPECT_EQ(static_cast<uint64_t>(id) >> 56, 2u);
  EXPECT_NE(InitialSessionId(1, 1700000000000), id);
}

TEST(Txn, RoundTripsEveryKind) {
  Txn req;
  req.kind = TxnKind::kRequest;
  req.time_ms = 123;
  req.session_id = 0x55;
  req.cxid = 7;
  req.auth = {{"ip", "127.0.0.1"}, {"digest", "u:h"}};
  req.payload = std::string("\0\1\2", 3);
  Txn out;
  ASSERT_TRUE(DecodeTxn(EncodeTxn(req), &out).ok());
  EXPECT_EQ(out.cxid, 7);
  EXPECT_EQ(out.auth, req.auth);
  EXPECT_EQ(out.payload, req.payload);

  Txn cs;
  cs.kind = TxnKind::kCreateSession;
  cs.timeout_ms = 4000;
  cs.passwd = "0123456789abcdef";
  ASSERT_TRUE(DecodeTxn(EncodeTxn(cs), &out).ok());
  EXPECT_EQ(out.kind, TxnKind::kCreateSession);
  EXPECT_EQ(out.passwd, cs.passwd);

  Txn de;
  de.kind = TxnKind::kDeleteExpired;
  de.paths = {"/a", "/b"};
  ASSERT_TRUE(DecodeTxn(EncodeTxn(de), &out).ok());
  EXPECT_EQ(out.paths, de.paths);

  Txn owner;
  owner.kind = TxnKind::kSetOwner;
  owner.session_id = 0x55;
  owner.origin = 2;
  ASSERT_TRUE(DecodeTxn(EncodeTxn(owner), &out).ok());
  EXPECT_EQ(out.kind, TxnKind::kSetOwner);
  EXPECT_EQ(out.origin, 2);

  // Format 1 had no origin: version byte 1, then the body without it.
  std::string v1 = EncodeTxn(req);
  v1[0] = 1;
  v1.erase(2 + 16, 8);
  ASSERT_TRUE(DecodeTxn(v1, &out).ok());
  EXPECT_EQ(out.origin, kUnknownOrigin);
  EXPECT_EQ(out.payload, req.payload);

  std::string bytes = EncodeTxn(req);
  EXPECT_FALSE(DecodeTxn(bytes.substr(0, bytes.size() - 2), &out).ok());
  bytes[0] = 9;
  EXPECT_FALSE(DecodeTxn(bytes, &out).ok());
}

}  // namespace
}  // namespace zk::server
