// Wire format of the raft plugin's peer links (README.md "Wire format"). Every frame is
// `u32 length | u8 type | body`, big-endian, length counting type + body. The first frame on
// a link is a Hello naming the wire version, the channel and both ends; after it come raft
// messages (libraft's struct raft_message, field by field) and the plugin's own frames
// (forwarded proposals, their results, follower messages).
//
// Versions (one line each):
//   1: Hello{magic "ZKRF", version, channel, from, to}; raft messages of libraft 0.15;
//      Propose, ProposeResult, FollowerMessage.
//
// Decoding validates every field (lengths against what is left, enum values, trailing
// bytes): a malformed frame is a Status, never a crash. Pure functions, any thread.
#pragma once

// raft.h has no extern "C" guard of its own.
extern "C" {
#include <raft.h>
}

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zk/status.h"

namespace zk::election_raft {

inline constexpr uint32_t kHelloMagic = 0x5a4b5246;  // "ZKRF"
inline constexpr uint16_t kWireVersion = 1;
// Bound on one frame (a snapshot travels in one InstallSnapshot frame).
inline constexpr uint32_t kMaxFrameBytes = 1u << 30;

// Which listening port a link goes to: RequestVote and its result use the election port,
// everything else the quorum port (DESIGN §3), so both zoo.cfg ports keep their meaning.
enum class Channel : uint8_t { kQuorum = 1, kElection = 2 };
const char* ChannelName(Channel c);

enum class FrameType : uint8_t {
  kHello = 0,
  // libraft message types keep their numbers (RAFT_IO_*).
  kAppendEntries = RAFT_IO_APPEND_ENTRIES,
  kAppendEntriesResult = RAFT_IO_APPEND_ENTRIES_RESULT,
  kRequestVote = RAFT_IO_REQUEST_VOTE,
  kRequestVoteResult = RAFT_IO_REQUEST_VOTE_RESULT,
  kInstallSnapshot = RAFT_IO_INSTALL_SNAPSHOT,
  kTimeoutNow = RAFT_IO_TIMEOUT_NOW,
  // The plugin's own frames, all on the quorum channel.
  kPropose = 16,          // follower -> leader: a proposal to raft_apply
  kProposeResult = 17,    // leader -> follower: accepted or why not
  kFollowerMessage = 18,  // follower -> leader: Election::SendToLeader payload
};

bool IsRaftFrame(FrameType t);
// The channel a frame type must travel on.
Channel ChannelOf(FrameType t);

struct Hello {
  uint16_t version = kWireVersion;
  Channel channel = Channel::kQuorum;
  uint64_t from = 0;  // raft ids
  uint64_t to = 0;
};

// Encoders return a whole frame, length prefix included.
std::string EncodeHello(const Hello& h);
std::string EncodeRaftMessage(const raft_message& m);
std::string EncodePropose(uint64_t request_id, std::string_view data);
std::string EncodeProposeResult(uint64_t request_id, const Status& status);
std::string EncodeFollowerMessage(std::string_view payload);

// Splits a byte stream into frame payloads (type byte + body, prefix stripped).
class FrameSplitter {
 public:
  // Appends `len` bytes and moves every complete payload into *out. An empty or oversized
  // frame is an error; the splitter is then unusable (close the link).
  Status Feed(const uint8_t* data, size_t len, std::vector<std::string>* out);

 private:
  std::string buf_;
  size_t pos_ = 0;  // start of the first incomplete frame in buf_
};

// REQUIRES: payload non-empty.
inline FrameType TypeOf(std::string_view payload) {
  return static_cast<FrameType>(static_cast<uint8_t>(payload[0]));
}

Status DecodeHello(std::string_view payload, Hello* out);
// Decodes a raft message; server_id/server_address are left for the caller. Memory that
// libraft takes over on receipt (AppendEntries entries and their batch, InstallSnapshot data
// and configuration) is allocated with raft_malloc. On error nothing stays allocated.
Status DecodeRaftMessage(std::string_view payload, raft_message* out);
// Frees what DecodeRaftMessage allocated, for a message that is not handed to libraft.
void FreeRaftMessage(raft_message* m);
Status DecodePropose(std::string_view payload, uint64_t* request_id, std::string* data);
Status DecodeProposeResult(std::string_view payload, uint64_t* request_id, Status* status);
Status DecodeFollowerMessage(std::string_view payload, std::string* data);

// The membership stored in SnapshotMeta::configuration (opaque to storage). Version 1:
// "ZKRC", u8 version, u64 configuration index, u32 n, n x {u64 id, u8 role, u16 len, address}.
std::string EncodeConfiguration(const raft_configuration& c, uint64_t configuration_index);
// `out` must be initialized (raft_configuration_init); on error it is left empty.
Status DecodeConfiguration(std::string_view data, raft_configuration* out,
                           uint64_t* configuration_index);

}  // namespace zk::election_raft
