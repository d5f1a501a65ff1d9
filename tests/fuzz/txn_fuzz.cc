// Fuzz target: the replicated log reader (server/txn.cc, formats 1 and 2) and what replaying a
// log does with what it reads. The input is a flags byte then log entries, each a u16
// big-endian length and that many bytes. Every entry goes through DecodeTxn; one that decodes
// must re-encode (as format 2) to bytes that decode to the same Txn and re-encode identically.
// Entries are then applied to a fresh DataTree and SessionTable as ZkServer::Apply does
// (createSession, closeSession + KillSession, request payload -> DecodeRequest -> ApplyWrite,
// deleteExpired -> deleteContainer), so the fuzzer can build trees and replay arbitrary
// requests against them; reads go through DataTree::Read. At the end the tree and session
// table must survive a snapshot round trip: same digest, same bytes.
// Flags: bit 0 zookeeper.extendedTypesEnabled, bit 1 skipACL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "proto/codec.h"
#include "server/sessions.h"
#include "server/txn.h"
#include "state/data_tree.h"

namespace {

using namespace zk;
using server::Txn;
using server::TxnKind;

bool SameTxn(const Txn& a, const Txn& b) {
  if (a.kind != b.kind || a.time_ms != b.time_ms || a.session_id != b.session_id ||
      a.origin != b.origin) {
    return false;
  }
  switch (a.kind) {
    case TxnKind::kCreateSession:
      return a.timeout_ms == b.timeout_ms && a.passwd == b.passwd;
    case TxnKind::kCloseSession:
      return a.expired == b.expired;
    case TxnKind::kRequest:
      return a.cxid == b.cxid && a.auth == b.auth && a.payload == b.payload;
    case TxnKind::kDeleteExpired:
      return a.paths == b.paths;
    case TxnKind::kSetOwner:
      return true;
  }
  return false;
}

void CheckRoundTrip(const Txn& t) {
  const std::string enc = server::EncodeTxn(t);
  Txn again;
  ZK_CHECK(server::DecodeTxn(enc, &again).ok());
  ZK_CHECK(SameTxn(t, again));
  ZK_CHECK(server::EncodeTxn(again) == enc);
}

class Replica {
 public:
  explicit Replica(uint8_t flags) : extended_types_((flags & 1) != 0) {
    tree_.set_skip_acl((flags & 2) != 0);
  }

  void Apply(const Txn& t) {
    const int64_t zxid = (int64_t{1} << 32) | ++counter_;
    std::vector<state::Trigger> triggers;
    switch (t.kind) {
      case TxnKind::kCreateSession:
        sessions_.Add(server::Session{t.session_id, t.timeout_ms, t.passwd, t.origin});
        break;
      case TxnKind::kCloseSession:
        tree_.KillSession(t.session_id, zxid, t.time_ms, &triggers);
        sessions_.Remove(t.session_id);
        ZK_CHECK(tree_.EphemeralsBySession().count(t.session_id) == 0);
        break;
      case TxnKind::kSetOwner:
        sessions_.SetOwner(t.session_id, t.origin);
        break;
      case TxnKind::kRequest:
        ApplyRequest(t, zxid, &triggers);
        break;
      case TxnKind::kDeleteExpired:
        for (const std::string& path : tree_.CollectExpired(t.time_ms, 1000)) {
          ZK_CHECK(tree_.Exists(path));
        }
        for (const std::string& path : t.paths) {
          proto::Request req;
          req.header.type = static_cast<int32_t>(proto::OpCode::kDeleteContainer);
          req.body = proto::DeleteRequest{path, -1};
          Write(req, t, zxid, &triggers);
        }
        break;
    }
  }

  void CheckSnapshotRoundTrip() const {
    const std::string snap = tree_.Serialize();
    state::DataTree restored;
    Status s = restored.Deserialize(snap);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      ZK_CHECK(s.ok());
    }
    ZK_CHECK(restored.Digest() == tree_.Digest());
    ZK_CHECK(restored.last_zxid() == tree_.last_zxid());
    ZK_CHECK(restored.node_count() == tree_.node_count());
    ZK_CHECK(restored.ephemeral_count() == tree_.ephemeral_count());
    ZK_CHECK(restored.approximate_data_size() == tree_.approximate_data_size());
    ZK_CHECK(restored.Serialize() == snap);

    std::string table;
    sessions_.Serialize(&table);
    server::SessionTable restored_sessions;
    size_t consumed = 0;
    ZK_CHECK(restored_sessions.Deserialize(table, &consumed).ok());
    ZK_CHECK(consumed == table.size());
    std::string again;
    restored_sessions.Serialize(&again);
    ZK_CHECK(again == table);
  }

 private:
  void ApplyRequest(const Txn& t, int64_t zxid, std::vector<state::Trigger>* triggers) {
    proto::Request req;
    // ZkServer::ApplyRequest decodes the payload with no jute.maxbuffer bound.
    if (!proto::DecodeRequest(t.payload, &req, 0x7fffffff).ok()) return;
    state::AuthContext auth;
    auth.ids = t.auth;
    proto::ResponseBody read;
    (void)tree_.Read(req, auth, kSuper, t.session_id, &read);
    if (sessions_.Find(t.session_id) == nullptr) return;  // SessionExpired
    if (req.op() == proto::OpCode::kSync) return;
    Write(req, t, zxid, triggers);
  }

  void Write(const proto::Request& req, const Txn& t, int64_t zxid,
             std::vector<state::Trigger>* triggers) {
    state::AuthContext auth;
    auth.ids = t.auth;
    state::TxnContext ctx;
    ctx.zxid = zxid;
    ctx.time_ms = t.time_ms;
    ctx.session_id = t.kind == TxnKind::kRequest ? t.session_id : 0;
    ctx.auth = &auth;
    ctx.super_digest = &kSuper;
    ctx.extended_types_enabled = t.kind == TxnKind::kRequest ? extended_types_ : true;
    proto::ResponseBody resp;
    const size_t before = triggers->size();
    proto::ErrorCode err = tree_.ApplyWrite(req, ctx, &resp, triggers);
    ZK_CHECK(tree_.last_zxid() >= zxid);
    if (err != proto::ErrorCode::kOk) {
      ZK_CHECK(triggers->size() == before);
      return;
    }
    // The reply must encode and decode as the client would read it.
    const std::string reply = proto::EncodeReply({t.cxid, zxid, 0}, resp);
    proto::ReplyHeader h;
    proto::ResponseBody body;
    ZK_CHECK(proto::DecodeReply(std::string_view(reply).substr(4), req.op(), &h, &body).ok());
  }

  // "super:test" (DataTree tests' digest), so the super-user path is reachable.
  inline static const std::string kSuper = "super:D/InIHSb7yEEbrWz8b9l71RjZJU=";
  bool extended_types_;
  uint32_t counter_ = 0;
  state::DataTree tree_;
  server::SessionTable sessions_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Replica replica(data[0]);
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t pos = 0;
  while (pos + 2 <= in.size()) {
    size_t len = (static_cast<uint8_t>(in[pos]) << 8) | static_cast<uint8_t>(in[pos + 1]);
    pos += 2;
    if (len > in.size() - pos) len = in.size() - pos;
    const std::string_view entry = in.substr(pos, len);
    pos += len;
    Txn t;
    Status s = server::DecodeTxn(entry, &t);
    if (!s.ok()) {
      ZK_CHECK(s.code() == Status::Code::kCorruption);
      continue;
    }
    CheckRoundTrip(t);
    replica.Apply(t);
  }
  replica.CheckSnapshotRoundTrip();
  return 0;
}
