// The session handshake (protocol.md §2.4, §2.5). ConnectRequest/ConnectResponse are jute
// records plus an optional trailing readOnly byte that is not in zookeeper.jute.
#include <optional>

#include "proto/codec.h"
#include "proto/wire_util.h"

namespace zk::proto {

namespace {

// The readOnly byte both handshake records may carry after their jute fields.
std::optional<bool> ReadOptionalBool(Reader& r) {
  bool value = false;
  if (r.remaining() < 1 || !r.ReadBool(&value)) return std::nullopt;
  return value;
}

}  // namespace

Status DecodeConnectRequest(std::string_view payload, ConnectRequest* out) {
  Reader r(payload);
  r.ReadInt(&out->protocol_version);
  r.ReadLong(&out->last_zxid_seen);
  r.ReadInt(&out->timeout_ms);
  r.ReadLong(&out->session_id);
  r.ReadBuffer(&out->passwd);
  if (!r.ok()) {
    return Status::InvalidArgument("truncated connect request (" + std::to_string(payload.size()) +
                                   " bytes)");
  }
  // ZooKeeperServer.processConnectRequest reads readOnly in a try/catch (old clients send 44
  // bytes) and never looks past it, so extra trailing bytes are ignored.
  out->read_only = ReadOptionalBool(r);
  return Status::OK();
}

namespace {

template <typename W>
void WriteConnectResponse(W& w, const ConnectResponse& r) {
  w.WriteInt(r.protocol_version);
  w.WriteInt(r.timeout_ms);
  w.WriteLong(r.session_id);
  w.WriteBuffer(r.passwd);
  if (r.read_only) w.WriteBool(*r.read_only);
}

template <typename W>
void WriteConnectRequest(W& w, const ConnectRequest& r) {
  w.WriteInt(r.protocol_version);
  w.WriteLong(r.last_zxid_seen);
  w.WriteInt(r.timeout_ms);
  w.WriteLong(r.session_id);
  w.WriteBuffer(r.passwd);
  if (r.read_only) w.WriteBool(*r.read_only);
}

}  // namespace

std::string EncodeConnectResponse(const ConnectResponse& r) {
  return internal::EncodeSizedFrame([&](auto& w) { WriteConnectResponse(w, r); });
}

std::string EncodeConnectRequest(const ConnectRequest& r) {
  return internal::EncodeSizedFrame([&](auto& w) { WriteConnectRequest(w, r); });
}

Status DecodeConnectResponse(std::string_view payload, ConnectResponse* out) {
  Reader r(payload);
  r.ReadInt(&out->protocol_version);
  r.ReadInt(&out->timeout_ms);
  r.ReadLong(&out->session_id);
  r.ReadBuffer(&out->passwd);
  if (!r.ok()) {
    return Status::InvalidArgument("truncated connect response (" + std::to_string(payload.size()) +
                                   " bytes)");
  }
  // ClientCnxnSocket.readConnectResult: readOnly is optional (36-byte replies from old servers).
  out->read_only = ReadOptionalBool(r);
  return Status::OK();
}

}  // namespace zk::proto
