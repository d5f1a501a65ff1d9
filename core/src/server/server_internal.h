// ZkServer's private structs, shared by its .cc files only.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "server/server.h"
#include "server/stats.h"

namespace zk::server {

struct ZkServer::Pending {
  enum class State { kWaitingWrite, kDeferredRead, kReady };
  State state = State::kReady;
  int32_t xid = 0;
  proto::OpCode op = proto::OpCode::kError;
  int64_t received_ms = 0;
  proto::Request request;  // kDeferredRead: executed when its turn comes
  std::string reply;       // kReady: the whole frame
};

struct ZkServer::Connection {
  ConnId id = 0;
  std::string peer;  // "ip:port"
  std::string ip;
  int64_t session_id = 0;
  int32_t timeout_ms = 0;
  bool handshaken = false;
  bool awaiting_session = false;  // createSession proposed, not yet applied
  bool read_only_flag = false;    // the ConnectRequest carried the readOnly byte
  bool closing = false;
  std::vector<proto::Id> auth;    // ids added by addauth (digest)
  std::deque<Pending> pending;

  // cons / stat.
  int64_t recved = 0;
  int64_t sent = 0;
  int64_t established_wall_ms = 0;
  std::string last_op = "NA";
  int32_t last_cxid = -1;
  int64_t last_zxid = -1;
  int64_t last_response_wall_ms = 0;
  int64_t last_latency = 0;
  LatencyStats latency;
};

struct ZkServer::WireState {
  explicit WireState(int32_t max_frame) : decoder(max_frame) {}
  proto::FrameDecoder decoder;
  bool handshaken = false;
  bool done = false;  // a four-letter word was read, or the stream is unusable
};

struct ZkServer::Inbound {
  enum class Kind { kOpen, kConnect, kRequest, kFourLetter, kBad };
  Kind kind = Kind::kRequest;
  int64_t received_ms = 0;
  proto::ConnectRequest connect;
  proto::Request request;
  std::string payload;  // writes: RequestHeader + body as received, for the log entry
  bool unsupported = false;  // answered in order with an error instead of being executed:
  bool malformed = false;    // ... MarshallingError (body unreadable), else Unimplemented
  std::string text;          // kOpen: peer; kFourLetter: the word; kBad: why
};

// Ops that change state go through the log (and sync, to order it).
bool IsWriteOp(proto::OpCode op);

}  // namespace zk::server
