#include "inproc_transport.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace zk::inproc {

InprocTransport::InprocTransport(Host* host, std::string name)
    : host_(host), node_(std::make_shared<Node>()) {
  node_->host = host;
  node_->name = std::move(name);
  Registry& registry = Registry::Get();
  std::lock_guard<std::mutex> lock(registry.mu);
  // Forget transports that are gone, then remember this one (partitions look nodes up).
  std::erase_if(registry.nodes, [](const std::weak_ptr<Node>& n) { return n.expired(); });
  registry.nodes.push_back(node_);
}

InprocTransport::~InprocTransport() { Stop(); }

void InprocTransport::Log(LogLevel level, const std::string& message) {
  if (host_ != nullptr) host_->Log(level, "inproc transport: " + message);
}

Status InprocTransport::Start() { return Status::OK(); }

void InprocTransport::Stop() {
  std::vector<std::shared_ptr<End>> notify;
  std::lock_guard<std::recursive_mutex> callbacks(node_->callback_mu);
  {
    Registry& registry = Registry::Get();
    std::lock_guard<std::mutex> lock(registry.mu);
    if (node_->stopped) return;
    node_->stopped = true;
    for (const std::string& key : node_->endpoints) {
      auto it = registry.listeners.find(key);
      if (it != registry.listeners.end() && it->second.node.lock() == node_) {
        registry.listeners.erase(it);
      }
    }
    for (auto& [id, end] : node_->ends) {
      if (end->finished) continue;
      std::shared_ptr<End> peer = end->peer.lock();
      if (peer && !end->closed && !peer->closed) {
        Item eof;
        eof.kind = Item::Kind::kEof;
        EnqueueLocked(*node_, peer, std::move(eof));
      }
      end->closed = true;
      end->finished = true;
      end->rx.clear();
      end->peer.reset();
      // An accepted end whose OnOpen has not run yet was never seen by the handler.
      if (end->open_delivered || end->outgoing) notify.push_back(end);
    }
    node_->ends.clear();
  }
  std::sort(notify.begin(), notify.end(),
            [](const auto& a, const auto& b) { return a->id < b->id; });
  for (const auto& end : notify) end->handler->OnClosed(end->id, "transport stopped");
}

Status InprocTransport::Listen(const Endpoint& ep, ConnectionHandler* handler,
                               uint16_t* bound_port) {
  if (handler == nullptr) return Status::InvalidArgument("inproc: Listen needs a handler");
  Registry& registry = Registry::Get();
  std::lock_guard<std::mutex> lock(registry.mu);
  if (node_->stopped) return Status::Unavailable("inproc transport: stopped");
  const std::string host = NormalizeHost(ep.host);
  const uint16_t port = ep.port != 0 ? ep.port : registry.AllocateListenPortLocked();
  const std::string key = EndpointKey(host, port);
  if (registry.PortInUseLocked(host, port)) {
    return Status::IoError("inproc: cannot bind " + key + ": Address already in use");
  }
  registry.listeners[key] = Registry::Listener{node_, handler};
  node_->endpoints.push_back(key);
  if (bound_port != nullptr) *bound_port = port;
  return Status::OK();
}

ConnId InprocTransport::Connect(const Endpoint& ep, ConnectionHandler* handler) {
  Registry& registry = Registry::Get();
  std::lock_guard<std::mutex> lock(registry.mu);
  const ConnId id = node_->next_id++;
  if (node_->stopped || handler == nullptr) return id;  // no callback will ever come

  auto client = std::make_shared<End>();
  client->id = id;
  client->handler = handler;
  client->outgoing = true;
  client->node = node_;
  const std::string key = EndpointKey(ep.host.empty() ? "127.0.0.1" : ep.host, ep.port);
  client->peer_name = key;
  node_->ends.emplace(id, client);

  const Registry::Listener* listener = registry.FindListenerLocked(key);
  std::shared_ptr<Node> server_node = listener ? listener->node.lock() : nullptr;
  if (!server_node || server_node->stopped) {
    CutLocked(client, "connect " + key + ": Connection refused");
    return id;
  }
  if (registry.PartitionedLocked(*node_, *server_node)) {
    CutLocked(client, "connect " + key + ": unreachable (inproc: partitioned)");
    return id;
  }

  auto server = std::make_shared<End>();
  server->id = server_node->next_id++;
  server->handler = listener->handler;
  server->node = server_node;
  // The accepted side sees the client on the host it dialled, with a fake ephemeral port.
  const std::string dialled = key.substr(0, key.rfind(':'));
  server->peer_name = (dialled == "0.0.0.0" ? std::string("127.0.0.1") : dialled) + ":" +
                      std::to_string(registry.AllocateEphemeralPortLocked());
  server->peer = client;
  client->peer = server;
  server_node->ends.emplace(server->id, server);

  Item open;
  open.kind = Item::Kind::kOpen;
  server->rx.push_back(open);
  client->rx.push_back(open);
  SchedulePumpLocked(server);
  SchedulePumpLocked(client);
  return id;
}

std::shared_ptr<End> InprocTransport::FindLocked(ConnId id) {
  auto it = node_->ends.find(id);
  return it == node_->ends.end() ? nullptr : it->second;
}

void InprocTransport::Send(ConnId id, std::string bytes) {
  if (bytes.empty()) return;
  std::lock_guard<std::mutex> lock(Registry::Get().mu);
  std::shared_ptr<End> end = FindLocked(id);
  if (!end || end->closed) return;
  std::shared_ptr<End> peer = end->peer.lock();
  if (!peer || peer->closed) return;  // the peer closed: its kernel would discard this too
  Item data;
  data.kind = Item::Kind::kData;
  data.bytes = std::move(bytes);
  EnqueueLocked(*node_, peer, std::move(data));
}

void InprocTransport::Close(ConnId id) {
  std::lock_guard<std::mutex> lock(Registry::Get().mu);
  std::shared_ptr<End> end = FindLocked(id);
  if (!end || end->closed) return;
  std::shared_ptr<End> peer = end->peer.lock();
  if (peer && !peer->closed) {
    Item eof;
    eof.kind = Item::Kind::kEof;
    EnqueueLocked(*node_, peer, std::move(eof));
  }
  end->peer.reset();
  CutLocked(end, "");  // OnClosed(id, "") for us; data not yet delivered to us is dropped
}

void InprocTransport::SetReading(ConnId id, bool reading) {
  std::lock_guard<std::mutex> lock(Registry::Get().mu);
  std::shared_ptr<End> end = FindLocked(id);
  if (!end) return;
  end->reading = reading;
  if (reading) SchedulePumpLocked(end);
}

}  // namespace zk::inproc
