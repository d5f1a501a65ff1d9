#include "server/txn.h"

#include "proto/jute.h"

namespace zk::server {

namespace {
constexpr uint8_t kTxnVersion = 2;
constexpr uint8_t kTxnVersionNoOrigin = 1;
}

std::string EncodeTxn(const Txn& t) {
  proto::Writer w;
  std::string head;
  head.push_back(static_cast<char>(kTxnVersion));
  head.push_back(static_cast<char>(t.kind));
  w.WriteLong(t.time_ms);
  w.WriteLong(t.session_id);
  w.WriteLong(t.origin);
  switch (t.kind) {
    case TxnKind::kCreateSession:
      w.WriteInt(t.timeout_ms);
      w.WriteBuffer(t.passwd);
      break;
    case TxnKind::kCloseSession:
      w.WriteBool(t.expired);
      break;
    case TxnKind::kRequest:
      w.WriteInt(t.cxid);
      w.WriteInt(static_cast<int32_t>(t.auth.size()));
      for (const auto& id : t.auth) w.WriteId(id);
      w.WriteBuffer(t.payload);
      break;
    case TxnKind::kDeleteExpired:
      w.WriteStringVector(t.paths);
      break;
    case TxnKind::kSetOwner:
      break;
  }
  return head + w.data();
}

Status DecodeTxn(std::string_view bytes, Txn* out) {
  const uint8_t version = bytes.empty() ? 0 : static_cast<uint8_t>(bytes[0]);
  if (bytes.size() < 2 || (version != kTxnVersion && version != kTxnVersionNoOrigin)) {
    return Status::Corruption("log entry: unknown format version");
  }
  out->kind = static_cast<TxnKind>(bytes[1]);
  proto::Reader r(bytes.substr(2), 0x7fffffff);
  r.ReadLong(&out->time_ms);
  r.ReadLong(&out->session_id);
  out->origin = kUnknownOrigin;
  if (version == kTxnVersion) r.ReadLong(&out->origin);
  switch (out->kind) {
    case TxnKind::kCreateSession:
      r.ReadInt(&out->timeout_ms);
      r.ReadBuffer(&out->passwd);
      break;
    case TxnKind::kCloseSession:
      r.ReadBool(&out->expired);
      break;
    case TxnKind::kRequest: {
      r.ReadInt(&out->cxid);
      int32_t n = 0;
      if (r.ReadInt(&n) && n > 0) {
        if (static_cast<size_t>(n) > r.remaining()) return Status::Corruption("log entry: auth");
        out->auth.resize(n);
        for (auto& id : out->auth) r.ReadId(&id);
      }
      r.ReadBuffer(&out->payload);
      break;
    }
    case TxnKind::kDeleteExpired:
      r.ReadStringVector(&out->paths);
      break;
    case TxnKind::kSetOwner:
      break;
    default:
      return Status::Corruption("log entry: unknown kind " + std::to_string(bytes[1]));
  }
  if (!r.ok()) return Status::Corruption("log entry: truncated");
  return Status::OK();
}

}  // namespace zk::server
