// The session handshake (protocol.md §2.4, §2.5). ConnectRequest/ConnectResponse are jute
// records plus an optional trailing readOnly byte that is not in zookeeper.jute.
#include "proto/codec.h"
#include "proto/wire_util.h"

namespace zk::proto {

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
  out->read_only.reset();
  if (r.remaining() >= 1) {
    bool ro = false;
    r.ReadBool(&ro);
    out->read_only = ro;
  }
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

template <typename T, typename Fn>
std::string EncodeFrame(const T& record, Fn write) {
  internal::SizeCounter c;
  write(c, record);
  Writer w;
  w.Reserve(4 + c.size());
  size_t begin = w.BeginFrame();
  write(w, record);
  w.EndFrame(begin);
  return w.Take();
}

}  // namespace

std::string EncodeConnectResponse(const ConnectResponse& r) {
  return EncodeFrame(r, [](auto& w, const ConnectResponse& x) { WriteConnectResponse(w, x); });
}

std::string EncodeConnectRequest(const ConnectRequest& r) {
  return EncodeFrame(r, [](auto& w, const ConnectRequest& x) { WriteConnectRequest(w, x); });
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
  out->read_only.reset();
  if (r.remaining() >= 1) {
    bool ro = false;
    r.ReadBool(&ro);
    out->read_only = ro;
  }
  return Status::OK();
}

}  // namespace zk::proto
