// Fuzz target: whatever a client could put on the socket. The input is fed to a FrameDecoder
// in chunks (the first byte picks the chunk size, so many TCP split patterns are tried); the
// first frame goes to DecodeConnectRequest, the others to DecodeRequest and DecodeReply.
// Anything that decodes must re-encode to bytes that decode and re-encode identically.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "proto/codec.h"

namespace {

using namespace zk::proto;

constexpr int32_t kMaxFrame = 0xfffff;  // jute.maxbuffer in 3.8.0

// Reply shapes a frame is also tried against (what our clients decode from a server).
constexpr OpCode kReplyOps[] = {
    OpCode::kCreate,       OpCode::kDelete,          OpCode::kExists,
    OpCode::kGetData,      OpCode::kSetData,         OpCode::kGetAcl,
    OpCode::kSetAcl,       OpCode::kGetChildren,     OpCode::kSync,
    OpCode::kPing,         OpCode::kGetChildren2,    OpCode::kCheck,
    OpCode::kMulti,        OpCode::kCreate2,         OpCode::kReconfig,
    OpCode::kCheckWatches, OpCode::kRemoveWatches,   OpCode::kCreateContainer,
    OpCode::kCreateTtl,    OpCode::kMultiRead,       OpCode::kAuth,
    OpCode::kSetWatches,   OpCode::kGetEphemerals,   OpCode::kGetAllChildrenNumber,
    OpCode::kSetWatches2,  OpCode::kAddWatch,        OpCode::kWhoAmI,
    OpCode::kCloseSession, OpCode::kDeleteContainer, OpCode::kSasl,
};

void CheckConnect(std::string_view frame) {
  ConnectRequest c;
  if (!DecodeConnectRequest(frame, &c).ok()) return;
  std::string enc = EncodeConnectRequest(c);
  ConnectRequest again;
  ZK_CHECK(DecodeConnectRequest(std::string_view(enc).substr(4), &again).ok());
  ZK_CHECK(EncodeConnectRequest(again) == enc);
  // The server's answer to it must be a 36/37-byte frame with a 16-byte password.
  ConnectResponse resp;
  resp.timeout_ms = c.timeout_ms;
  resp.session_id = c.session_id;
  resp.passwd = std::string(16, '\0');
  resp.read_only = c.read_only;
  ZK_CHECK(EncodeConnectResponse(resp).size() == (c.read_only ? 41u : 40u));
}

void CheckRequest(std::string_view frame) {
  Request r;
  if (!DecodeRequest(frame, &r).ok()) return;
  std::string enc = EncodeRequest(r);
  Request again;
  ZK_CHECK(DecodeRequest(std::string_view(enc).substr(4), &again).ok());
  ZK_CHECK(EncodeRequest(again) == enc);
}

void CheckReply(std::string_view frame) {
  if (frame.empty()) return;
  const OpCode op = kReplyOps[static_cast<uint8_t>(frame[0]) % std::size(kReplyOps)];
  ReplyHeader h;
  ResponseBody body;
  if (!DecodeReply(frame, op, &h, &body).ok()) return;
  std::string enc = EncodeReply(h, body);
  ReplyHeader h2;
  ResponseBody body2;
  ZK_CHECK(DecodeReply(std::string_view(enc).substr(4), op, &h2, &body2).ok());
  ZK_CHECK(EncodeReply(h2, body2) == enc);
  WatcherEvent e;
  if (DecodeWatcherEvent(frame, &e).ok()) {
    std::string ev = EncodeWatcherEvent(e);
    WatcherEvent e2;
    ZK_CHECK(DecodeWatcherEvent(std::string_view(ev).substr(4), &e2).ok());
    ZK_CHECK(EncodeWatcherEvent(e2) == ev);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  ++data;
  --size;
  FrameDecoder dec(kMaxFrame);
  std::string frame;
  bool first = true;
  for (size_t off = 0; off < size; off += chunk) {
    const bool fed = dec.Feed(data + off, std::min(chunk, size - off));
    while (dec.Next(&frame)) {
      ZK_CHECK(frame.size() <= static_cast<size_t>(kMaxFrame));
      if (first) {
        CheckConnect(frame);
        first = false;
      } else {
        CheckRequest(frame);
        CheckReply(frame);
      }
    }
    if (!fed) {
      ZK_CHECK(dec.failed());
      break;
    }
  }
  std::string word;
  if (dec.PeekFirstWord(&word)) ZK_CHECK(word.size() == 4);
  return 0;
}
