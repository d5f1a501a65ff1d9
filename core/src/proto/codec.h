// Whole-message encoding and decoding of the ZooKeeper client protocol, and the frame
// splitter. No sockets, no threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/jute.h"
#include "proto/records.h"
#include "zk/status.h"

namespace zk::proto {

// Splits a byte stream into `int32 BE length + payload` frames.
class FrameDecoder {
 public:
  explicit FrameDecoder(int32_t max_frame) : max_frame_(max_frame) {}
  // Appends bytes. Returns false (and stays failed) when a length is negative or larger than
  // max_frame; the connection must then be closed. Frames completed before the bad length can
  // still be taken with Next. Amortised O(bytes): the buffer is compacted lazily.
  bool Feed(const uint8_t* data, size_t len);
  // Moves the next complete payload (without the length) into *frame; false if none yet.
  bool Next(std::string* frame);
  // The first 4 bytes of a new connection, if at least 4 arrived and Next never returned a
  // frame: used for four-letter-word detection. Still works after Feed failed, since a 4lw
  // such as "ruok" reads as a length far above max_frame (NIOServerCnxn checks the 4lw first).
  bool PeekFirstWord(std::string* word) const;
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  int32_t max_frame_;
  std::string buf_;
  size_t pos_ = 0;   // start of the first frame not yet returned by Next
  size_t scan_ = 0;  // end of the last complete, length-checked frame
  bool consumed_ = false;  // Next has returned a frame
  bool failed_ = false;
  std::string error_;
};

// ConnectRequest: 44 bytes, or 45 with the readOnly flag (protocol.md §2.4). Decoded field by
// field as ZooKeeperServer.processConnectRequest does: readOnly is read only if a byte is
// left, and bytes after it are ignored. Truncated fields give kInvalidArgument.
Status DecodeConnectRequest(std::string_view payload, ConnectRequest* out);
// Writes a full frame (with its length prefix): 36 bytes + 1 if read_only is set.
std::string EncodeConnectResponse(const ConnectResponse& r);
// Client side of the handshake (tests and our own clients): full frame, 44 bytes + 1 if
// read_only is set; and the reply payload (36 or 37 bytes).
std::string EncodeConnectRequest(const ConnectRequest& r);
Status DecodeConnectResponse(std::string_view payload, ConnectResponse* out);

// Decodes RequestHeader + body. Unknown op codes give kNotSupported (ZooKeeper 3.8.0 answers
// Unimplemented, zxid -1); malformed input gives kInvalidArgument. Observed on 3.8.0: a
// truncated header closes the connection, a malformed body is answered with
// MarshallingError (-5) and the connection stays open.
// Bodies: see RequestBody in records.h for which op uses which struct. Multi (14) and
// multiRead (22) decode every op and reject op types not allowed there (protocol.md §2.6).
// Bytes after a complete body are ignored, as ZooKeeper's record deserialisation does.
// out->header is filled whenever the first 8 bytes arrived, even if the body is malformed.
Status DecodeRequest(std::string_view payload, Request* out, int32_t max_len = 0x100000);
// Encodes a request (used by tests and our own client code), full frame with length.
std::string EncodeRequest(const Request& r);

// Encodes ReplyHeader + body as a full frame. The body is written only when err == 0,
// except that MultiResponse is always written (protocol.md §2.1, §2.6).
std::string EncodeReply(const ReplyHeader& h, const ResponseBody& body);
// Decodes a reply for op `op` (tests and clients). The body is decoded only if err == 0
// or op is multi/multiRead.
Status DecodeReply(std::string_view payload, OpCode op, ReplyHeader* h, ResponseBody* body);

// Notification frame: ReplyHeader{-1, -1, 0} + WatcherEvent.
std::string EncodeWatcherEvent(const WatcherEvent& e);
// Decodes a notification payload (ReplyHeader with xid -1 + WatcherEvent); tests and clients.
Status DecodeWatcherEvent(std::string_view payload, WatcherEvent* out);

const char* OpName(OpCode op);          // "create", "getData", ... for logs and cons
const char* ErrorName(ErrorCode code);  // "NoNode", ...

}  // namespace zk::proto
