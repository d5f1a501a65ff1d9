// Process-wide state of the inproc transport: which transport listens on which fake endpoint,
// every connection end, and the partition/delay rules tests set. One Registry per loaded .so,
// so every Transport created from one library can reach every other (NuRaft's fake_network
// habit: a fake network that implements the production interface).
//
// Delivery model (the choice that makes in-process ensembles deterministic): bytes and events
// for a connection end are queued on that end and delivered by a pump that runs on the
// RECEIVING transport's Host::Post (its core loop), so a callback never runs inside Send,
// Close or Connect, and the order of callbacks follows the order of host posts. A delay waits
// on the receiving host's timers (Host::StartTimer), so it follows that host's (fake) clock.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "zk/host.h"
#include "zk/transport.h"

namespace zk::inproc {

struct Node;

// One thing waiting to be delivered to an end, in order.
struct Item {
  enum class Kind {
    kOpen,    // OnOpen
    kData,    // OnData; waits while reading is paused and until deliver_at
    kEof,     // the peer closed: OnClosed(""); waits like kData
    kClosed,  // OnClosed(text): our own Close, a partition, a refused connect; never waits
  };
  Kind kind = Kind::kData;
  std::string bytes;       // the data, or the error text of kClosed
  int64_t deliver_at = 0;  // receiving host's NowMs; kData and kEof only
};

// One side of a connection. Every field is guarded by Registry::mu.
struct End {
  ConnId id = 0;
  ConnectionHandler* handler = nullptr;
  std::string peer_name;  // "host:port" of the other side
  bool outgoing = false;
  std::weak_ptr<Node> node;  // the transport this end belongs to
  std::weak_ptr<End> peer;
  bool closed = false;    // no more Send/Close from this side; the peer gets nothing more
  bool finished = false;  // OnClosed was delivered (or suppressed by Stop)
  bool open_delivered = false;
  bool reading = true;
  bool pump_posted = false;
  int64_t timer_at = -1;  // deadline of the pending delay timer, -1 if none
  int64_t last_deliver_at = 0;
  std::deque<Item> rx;
};

// One Transport's shared state. Closures posted to hosts hold it by shared_ptr, so they stay
// safe after the Transport object is gone; they do nothing once `stopped`.
struct Node {
  Host* host = nullptr;
  std::string name;  // transport.inproc.name; may be empty
  // Serializes every callback of this transport and lets Stop wait for one in progress.
  // Recursive because a callback may call Stop.
  std::recursive_mutex callback_mu;
  // Guarded by Registry::mu.
  bool stopped = false;
  std::vector<std::string> endpoints;  // normalized "host:port" this node listens on
  std::unordered_map<ConnId, std::shared_ptr<End>> ends;
  ConnId next_id = 1;
};

using Group = std::set<std::string>;  // transport names and "host:port" endpoints

class Registry {
 public:
  // The one registry of this library (a function-local static: shared by all instances).
  static Registry& Get();

  std::mutex mu;

  // Everything below REQUIRES mu held.
  struct Listener {
    std::weak_ptr<Node> node;
    ConnectionHandler* handler = nullptr;
  };
  std::map<std::string, Listener> listeners;  // normalized "host:port"
  std::vector<std::weak_ptr<Node>> nodes;

  // A port no listener uses, for Listen(port 0). Unique for the life of the process.
  uint16_t AllocateListenPortLocked();
  // A fake ephemeral port for the accepting side's peer name.
  uint16_t AllocateEphemeralPortLocked();
  // The listener for `key`, or one on the wildcard address with the same port.
  const Listener* FindListenerLocked(const std::string& key);
  bool PortInUseLocked(const std::string& host, uint16_t port);

  bool InGroupLocked(const Node& node, const Group& group) const;
  bool PartitionedLocked(const Node& a, const Node& b) const;
  int64_t DelayLocked(const Node& from, const Node& to) const;

  struct Partition {
    Group a, b;
  };
  struct Delay {
    Group a, b;
    int64_t ms = 0;
  };
  std::vector<Partition> partitions;
  std::vector<Delay> delays;

 private:
  uint16_t next_listen_port_ = 20000;
  uint16_t next_ephemeral_port_ = 40000;
};

// "" and "0.0.0.0" → "0.0.0.0" (every address); "localhost" → "127.0.0.1"; [v6] unbracketed.
std::string NormalizeHost(const std::string& host);
std::string EndpointKey(const std::string& host, uint16_t port);
// Parses "a,b , c" into normalized group entries ("localhost:1" → "127.0.0.1:1").
Group ParseGroup(const char* csv);

// Delivery helpers. All REQUIRE Registry::mu held.
// Queues `item` for `to` (sent by `from`), applying the configured delay, and schedules its pump.
void EnqueueLocked(const Node& from, const std::shared_ptr<End>& to, Item item);
// Ends the connection at `end` with an error (partition, refused): drops undelivered data.
void CutLocked(const std::shared_ptr<End>& end, const std::string& error);
// Makes sure a pump for `end` is posted to its node's host.
void SchedulePumpLocked(const std::shared_ptr<End>& end);

// Delivers what is due on `end`. Runs on the node's host loop (posted or from a timer).
void Pump(const std::shared_ptr<Node>& node, const std::shared_ptr<End>& end);

}  // namespace zk::inproc
