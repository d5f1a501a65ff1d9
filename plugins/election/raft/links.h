// Peer links of the raft plugin over the Transport plugin (README.md "Links").
//
// Each server listens on its quorum and election ports. To send to a peer it opens its own
// outgoing link to that peer's port (lazily, on the first frame) and writes frames there;
// incoming links only carry frames towards us. So a reply travels on our outgoing link to
// the asker, never back on the asker's link. A link starts with a Hello (wire.h) naming the
// channel and both raft ids; anything malformed closes that link, never the server.
//
// A link that closes goes to backoff (a Host timer, 25 ms doubling to 1 s); frames for a
// peer whose link is in backoff are dropped (raft retries on its own). Frames sent while
// connecting are queued (bounded) and flushed after the Hello.
//
// Threading: Transport callbacks arrive on the transport's thread and are posted to the core
// loop (Host::Post); everything else runs on the core loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "wire.h"
#include "zk/host.h"
#include "zk/status.h"
#include "zk/transport.h"

namespace zk::election_raft {

class Relay;

struct PeerEndpoints {
  Endpoint quorum;
  Endpoint election;
};

class Links {
 public:
  // A frame payload (type byte + body) from raft id `from` on channel `ch`, Hello already
  // checked. Returning an error closes the link it came on.
  using FrameFn = std::function<Status(uint64_t from, Channel ch, std::string payload)>;
  // Our outgoing link to `peer` on `ch` closed (or failed to open).
  using DownFn = std::function<void(uint64_t peer, Channel ch)>;

  // `host` and `transport` are borrowed and must outlive this object; `peers` maps raft ids
  // (not ours) to their ports.
  Links(Host* host, Transport* transport, uint64_t my_id, std::map<uint64_t, PeerEndpoints> peers,
        FrameFn on_frame, DownFn on_down);
  // The Transport keeps calling the handlers it was given until it stops, and has no way to
  // forget a listener, so the handlers are detached and kept alive past this object.
  ~Links();

  // Listens on our two ports. Synchronous.
  Status Listen(const Endpoint& quorum, const Endpoint& election);
  // Queues a whole frame (wire.h encoders) for `peer`. False if it was dropped: link in
  // backoff, connect queue full, unknown peer, or closed.
  bool Send(uint64_t peer, Channel ch, std::string frame);
  // False if a frame for `peer` would be dropped now (backoff, closed, unknown peer), so the
  // caller can skip encoding it.
  bool CanSend(uint64_t peer, Channel ch) const;
  // True while our outgoing link to `peer` on `ch` is open.
  bool IsUp(uint64_t peer, Channel ch) const;
  // Closes every link; Send drops from now on. Idempotent.
  void CloseAll();

 private:
  friend class Relay;
  enum class OutState { kIdle, kConnecting, kOpen, kBackoff };
  struct Outgoing {
    OutState state = OutState::kIdle;
    ConnId conn = 0;
    std::vector<std::string> queued;
    size_t queued_bytes = 0;
    int64_t backoff_ms = 0;
    TimerId timer = 0;
    bool was_up = false;  // for logging transitions only
  };
  struct Conn {
    Channel channel = Channel::kQuorum;
    bool outgoing = false;
    uint64_t peer = 0;  // raft id; 0 on an incoming link until its Hello arrived
    bool failed = false;
    FrameSplitter splitter;
  };

  // Core loop side of the Relay callbacks.
  void HandleOpen(Channel ch, ConnId id, const std::string& remote);
  void HandleData(Channel ch, ConnId id, const std::string& data);
  void HandleClosed(Channel ch, ConnId id, const std::string& error);
  void Connect(uint64_t peer, Channel ch, Outgoing& o);
  // Checks an incoming link's first frame; sets *peer to the sender's raft id.
  Status CheckHello(Channel ch, const std::string& frame, uint64_t* peer) const;
  void Fail(ConnId id, Conn& c, const std::string& why);
  Relay* RelayFor(Channel ch) const;

  Host* const host_;
  Transport* const transport_;
  const uint64_t my_id_;
  const std::map<uint64_t, PeerEndpoints> peers_;
  FrameFn on_frame_;
  DownFn on_down_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unique_ptr<Relay> quorum_relay_;
  std::unique_ptr<Relay> election_relay_;
  std::map<std::pair<uint64_t, Channel>, Outgoing> out_;
  std::unordered_map<ConnId, Conn> conns_;
  bool closed_ = false;
};

}  // namespace zk::election_raft
