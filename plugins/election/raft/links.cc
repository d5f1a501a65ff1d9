#include "links.h"

#include <algorithm>
#include <mutex>

namespace zk::election_raft {

namespace {

constexpr int64_t kBackoffFirstMs = 25;
constexpr int64_t kBackoffMaxMs = 1000;
// Frames kept for a link that is still connecting; beyond this they are dropped.
constexpr size_t kMaxQueuedBytes = 64u << 20;
constexpr size_t kMaxQueuedFrames = 4096;

std::string Describe(const Endpoint& ep) {
  return (ep.host.empty() ? std::string("*") : ep.host) + ":" + std::to_string(ep.port);
}

}  // namespace

// The ConnectionHandler given to the Transport. Its callbacks run on the transport's thread;
// it posts them to the core loop. Once its Links is gone it closes whatever still arrives.
class Relay final : public ConnectionHandler {
 public:
  Relay(Host* host, Transport* transport, Channel ch, Links* owner, std::weak_ptr<bool> alive)
      : host_(host), transport_(transport), ch_(ch), owner_(owner), alive_(std::move(alive)) {}

  void Detach() {
    std::lock_guard<std::mutex> lock(mu_);
    owner_ = nullptr;
  }

  void OnOpen(ConnId id, const std::string& remote) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (owner_ == nullptr) {
      transport_->Close(id);
      return;
    }
    Post([ch = ch_, id, remote](Links* l) { l->HandleOpen(ch, id, remote); });
  }
  void OnData(ConnId id, const uint8_t* data, size_t len) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (owner_ == nullptr) return;
    Post([ch = ch_, id, bytes = std::string(reinterpret_cast<const char*>(data), len)](Links* l) {
      l->HandleData(ch, id, bytes);
    });
  }
  void OnClosed(ConnId id, const std::string& error) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (owner_ == nullptr) return;
    Post([ch = ch_, id, error](Links* l) { l->HandleClosed(ch, id, error); });
  }

 private:
  // REQUIRES: mu_ held and owner_ set.
  template <typename Fn>
  void Post(Fn fn) {
    host_->Post([owner = owner_, alive = alive_, fn = std::move(fn)] {
      if (!alive.expired()) fn(owner);
    });
  }

  Host* const host_;
  Transport* const transport_;
  const Channel ch_;
  std::mutex mu_;
  Links* owner_;
  std::weak_ptr<bool> alive_;
};

namespace {

// Relays of destroyed Links objects: the Transport may still call them until it stops
// (DESIGN §5: a handler outlives Transport::Stop), so they stay allocated and reachable.
void Retire(std::unique_ptr<Relay> relay) {
  static std::mutex mu;
  static auto* retired = new std::vector<std::unique_ptr<Relay>>();
  if (!relay) return;
  relay->Detach();
  std::lock_guard<std::mutex> lock(mu);
  retired->push_back(std::move(relay));
}

}  // namespace

Links::Links(Host* host, Transport* transport, uint64_t my_id,
             std::map<uint64_t, PeerEndpoints> peers, FrameFn on_frame, DownFn on_down)
    : host_(host),
      transport_(transport),
      my_id_(my_id),
      peers_(std::move(peers)),
      on_frame_(std::move(on_frame)),
      on_down_(std::move(on_down)) {
  quorum_relay_ = std::make_unique<Relay>(host, transport, Channel::kQuorum, this, alive_);
  election_relay_ = std::make_unique<Relay>(host, transport, Channel::kElection, this, alive_);
}

Links::~Links() {
  CloseAll();
  alive_.reset();
  Retire(std::move(quorum_relay_));
  Retire(std::move(election_relay_));
}

Relay* Links::RelayFor(Channel ch) const {
  return ch == Channel::kElection ? election_relay_.get() : quorum_relay_.get();
}

Status Links::Listen(const Endpoint& quorum, const Endpoint& election) {
  uint16_t bound = 0;
  Status s = transport_->Listen(quorum, quorum_relay_.get(), &bound);
  if (!s.ok()) {
    return Status::IoError("raft: cannot listen on the quorum port " + Describe(quorum) + ": " +
                           s.ToString());
  }
  s = transport_->Listen(election, election_relay_.get(), &bound);
  if (!s.ok()) {
    return Status::IoError("raft: cannot listen on the election port " + Describe(election) + ": " +
                           s.ToString());
  }
  return Status::OK();
}

bool Links::Send(uint64_t peer, Channel ch, std::string frame) {
  if (closed_ || peers_.count(peer) == 0) return false;
  Outgoing& o = out_[{peer, ch}];
  switch (o.state) {
    case OutState::kOpen:
      transport_->Send(o.conn, std::move(frame));
      return true;
    case OutState::kBackoff:
      return false;
    case OutState::kIdle:
      Connect(peer, ch, o);
      [[fallthrough]];
    case OutState::kConnecting:
      if (o.queued.size() >= kMaxQueuedFrames || o.queued_bytes + frame.size() > kMaxQueuedBytes) {
        return false;
      }
      o.queued_bytes += frame.size();
      o.queued.push_back(std::move(frame));
      return true;
  }
  return false;
}

bool Links::CanSend(uint64_t peer, Channel ch) const {
  if (closed_ || peers_.count(peer) == 0) return false;
  auto it = out_.find({peer, ch});
  return it == out_.end() || it->second.state != OutState::kBackoff;
}

bool Links::IsUp(uint64_t peer, Channel ch) const {
  auto it = out_.find({peer, ch});
  return it != out_.end() && it->second.state == OutState::kOpen;
}

void Links::Connect(uint64_t peer, Channel ch, Outgoing& o) {
  const PeerEndpoints& ep = peers_.at(peer);
  o.state = OutState::kConnecting;
  o.conn = transport_->Connect(ch == Channel::kElection ? ep.election : ep.quorum, RelayFor(ch));
  Conn& c = conns_[o.conn];
  c.channel = ch;
  c.outgoing = true;
  c.peer = peer;
}

void Links::CloseAll() {
  if (closed_) return;
  closed_ = true;
  for (auto& [key, o] : out_) {
    if (o.timer != 0) host_->CancelTimer(o.timer);
    o.timer = 0;
  }
  for (auto& [id, c] : conns_) transport_->Close(id);
  out_.clear();
  conns_.clear();
}

void Links::HandleOpen(Channel ch, ConnId id, const std::string& remote) {
  if (closed_) {
    transport_->Close(id);
    return;
  }
  auto it = conns_.find(id);
  if (it == conns_.end()) {  // accepted: wait for its Hello
    Conn& c = conns_[id];
    c.channel = ch;
    return;
  }
  Conn& c = it->second;
  Outgoing& o = out_[{c.peer, ch}];
  if (o.conn != id) return;
  o.state = OutState::kOpen;
  o.backoff_ms = 0;
  if (!o.was_up) {
    host_->Log(LogLevel::kInfo, "raft: " + std::string(ChannelName(ch)) + " link to server." +
                                    std::to_string(c.peer - 1) + " (" + remote + ") is up");
  }
  o.was_up = true;
  Hello h;
  h.channel = ch;
  h.from = my_id_;
  h.to = c.peer;
  transport_->Send(id, EncodeHello(h));
  for (std::string& f : o.queued) transport_->Send(id, std::move(f));
  o.queued.clear();
  o.queued_bytes = 0;
}

void Links::Fail(ConnId id, Conn& c, const std::string& why) {
  if (c.failed) return;
  c.failed = true;
  host_->Log(LogLevel::kWarn, "raft: closing " + std::string(ChannelName(c.channel)) + " link " +
                                  std::to_string(id) +
                                  (c.peer ? " from server." + std::to_string(c.peer - 1) : "") +
                                  ": " + why);
  transport_->Close(id);
}

void Links::HandleData(Channel ch, ConnId id, const std::string& data) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second.failed) return;
  if (it->second.outgoing) {
    Fail(id, it->second, "unexpected bytes on an outgoing link");
    return;
  }
  std::vector<std::string> frames;
  Status s =
      it->second.splitter.Feed(reinterpret_cast<const uint8_t*>(data.data()), data.size(), &frames);
  for (std::string& f : frames) {
    // Looked up again each time: a frame handler may have closed links.
    it = conns_.find(id);
    if (closed_ || it == conns_.end() || it->second.failed) return;
    Conn& c = it->second;
    if (c.peer == 0) {
      Status hs = CheckHello(ch, f, &c.peer);
      if (!hs.ok()) {
        Fail(id, c, hs.ToString());
        return;
      }
      continue;
    }
    const uint64_t peer = c.peer;
    Status fs = TypeOf(f) == FrameType::kHello ? Status::Corruption("second Hello")
                                               : on_frame_(peer, ch, std::move(f));
    if (!fs.ok()) {
      it = conns_.find(id);
      if (it != conns_.end()) Fail(id, it->second, fs.ToString());
      return;
    }
  }
  it = conns_.find(id);
  if (!s.ok() && it != conns_.end()) Fail(id, it->second, s.ToString());
}

Status Links::CheckHello(Channel ch, const std::string& frame, uint64_t* peer) const {
  Hello h;
  Status hs = TypeOf(frame) == FrameType::kHello ? DecodeHello(frame, &h)
                                                 : Status::Corruption("first frame is not a Hello");
  if (!hs.ok()) return hs;
  if (h.to != my_id_) {
    return Status::InvalidArgument("hello for raft id " + std::to_string(h.to) +
                                   ", this is raft id " + std::to_string(my_id_) +
                                   " (do the server lines agree?)");
  }
  if (h.from == my_id_ || peers_.count(h.from) == 0) {
    return Status::InvalidArgument("hello from unknown raft id " + std::to_string(h.from));
  }
  if (h.channel != ch) {
    return Status::InvalidArgument(std::string("hello for the ") + ChannelName(h.channel) +
                                   " channel on the " + ChannelName(ch) + " port");
  }
  *peer = h.from;
  return Status::OK();
}

void Links::HandleClosed(Channel ch, ConnId id, const std::string& error) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  const bool outgoing = it->second.outgoing;
  const uint64_t peer = it->second.peer;
  conns_.erase(it);
  if (!outgoing || closed_) return;
  auto oit = out_.find({peer, ch});
  if (oit == out_.end() || oit->second.conn != id) return;
  Outgoing& o = oit->second;
  if (o.was_up) {
    host_->Log(LogLevel::kInfo, "raft: " + std::string(ChannelName(ch)) + " link to server." +
                                    std::to_string(peer - 1) + " is down" +
                                    (error.empty() ? "" : ": " + error));
  }
  o.was_up = false;
  o.state = OutState::kBackoff;
  o.conn = 0;
  o.queued.clear();
  o.queued_bytes = 0;
  o.backoff_ms = o.backoff_ms == 0 ? kBackoffFirstMs : std::min(o.backoff_ms * 2, kBackoffMaxMs);
  std::weak_ptr<bool> alive = alive_;
  o.timer = host_->StartTimer(o.backoff_ms, [this, alive, peer, ch] {
    if (alive.expired()) return;
    auto it2 = out_.find({peer, ch});
    if (it2 == out_.end()) return;
    it2->second.timer = 0;
    if (it2->second.state == OutState::kBackoff) it2->second.state = OutState::kIdle;
  });
  on_down_(peer, ch);
}

}  // namespace zk::election_raft
