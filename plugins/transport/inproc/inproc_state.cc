#include "inproc_state.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace zk::inproc {

Registry& Registry::Get() {
  static Registry registry;
  return registry;
}

bool Registry::PortInUseLocked(const std::string& host, uint16_t port) {
  const std::string suffix = ":" + std::to_string(port);
  for (const auto& [key, listener] : listeners) {
    if (key.size() < suffix.size() ||
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    // Same port: a clash if either side is the wildcard or the hosts are equal.
    const std::string other = key.substr(0, key.size() - suffix.size());
    if (host == "0.0.0.0" || other == "0.0.0.0" || other == host || other == "[" + host + "]") {
      return true;
    }
  }
  return false;
}

uint16_t Registry::AllocateListenPortLocked() {
  for (;;) {
    uint16_t port = next_listen_port_++;
    if (next_listen_port_ >= 40000) next_listen_port_ = 20000;
    if (!PortInUseLocked("0.0.0.0", port)) return port;
  }
}

uint16_t Registry::AllocateEphemeralPortLocked() {
  uint16_t port = next_ephemeral_port_++;
  if (next_ephemeral_port_ == 0) next_ephemeral_port_ = 40000;  // wrapped past 65535
  return port;
}

const Registry::Listener* Registry::FindListenerLocked(const std::string& key) {
  auto it = listeners.find(key);
  if (it == listeners.end()) {
    const size_t colon = key.rfind(':');
    if (colon == std::string::npos) return nullptr;
    it = listeners.find("0.0.0.0" + key.substr(colon));
    if (it == listeners.end()) return nullptr;
  }
  return &it->second;
}

bool Registry::InGroupLocked(const Node& node, const Group& group) const {
  if (!node.name.empty() && group.count(node.name) != 0) return true;
  for (const std::string& ep : node.endpoints) {
    if (group.count(ep) != 0) return true;
    // A wildcard listener is reached on any host: match a group entry by port.
    if (ep.rfind("0.0.0.0:", 0) == 0) {
      const std::string suffix = ep.substr(7);  // ":port"
      for (const std::string& g : group) {
        if (g.size() > suffix.size() &&
            g.compare(g.size() - suffix.size(), suffix.size(), suffix) == 0) {
          return true;
        }
      }
    }
  }
  return false;
}

bool Registry::PartitionedLocked(const Node& a, const Node& b) const {
  for (const Partition& p : partitions) {
    if ((InGroupLocked(a, p.a) && InGroupLocked(b, p.b)) ||
        (InGroupLocked(a, p.b) && InGroupLocked(b, p.a))) {
      return true;
    }
  }
  return false;
}

int64_t Registry::DelayLocked(const Node& from, const Node& to) const {
  int64_t ms = 0;
  for (const Delay& d : delays) {
    if ((InGroupLocked(from, d.a) && InGroupLocked(to, d.b)) ||
        (InGroupLocked(from, d.b) && InGroupLocked(to, d.a))) {
      ms = std::max(ms, d.ms);
    }
  }
  return ms;
}

std::string NormalizeHost(const std::string& host) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::transform(h.begin(), h.end(), h.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (h.empty() || h == "0.0.0.0" || h == "::") return "0.0.0.0";
  if (h == "localhost") return "127.0.0.1";
  return h;
}

std::string EndpointKey(const std::string& host, uint16_t port) {
  const std::string h = NormalizeHost(host);
  if (h.find(':') != std::string::npos) return "[" + h + "]:" + std::to_string(port);
  return h + ":" + std::to_string(port);
}

Group ParseGroup(const char* csv) {
  Group group;
  if (csv == nullptr) return group;
  std::string s(csv);
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string entry = s.substr(start, comma - start);
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    start = comma + 1;
    if (entry.empty()) continue;
    const size_t colon = entry.rfind(':');
    const std::string port = colon == std::string::npos ? "" : entry.substr(colon + 1);
    const bool numeric_port =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
    if (numeric_port && std::stoul(port) <= 65535) {
      group.insert(EndpointKey(entry.substr(0, colon), static_cast<uint16_t>(std::stoul(port))));
    } else {
      group.insert(entry);  // a transport name
    }
  }
  return group;
}

void SchedulePumpLocked(const std::shared_ptr<End>& end) {
  std::shared_ptr<Node> node = end->node.lock();
  if (!node || node->stopped || end->finished || end->pump_posted) return;
  end->pump_posted = true;
  node->host->Post([node, end] { Pump(node, end); });
}

void EnqueueLocked(const Node& from, const std::shared_ptr<End>& to, Item item) {
  std::shared_ptr<Node> to_node = to->node.lock();
  if (!to_node || to_node->stopped || to->finished) return;
  const int64_t delay = Registry::Get().DelayLocked(from, *to_node);
  // Never earlier than what is already queued: a byte stream must not reorder when a delay
  // is lowered mid-stream.
  item.deliver_at = std::max(to_node->host->NowMs() + delay, to->last_deliver_at);
  to->last_deliver_at = item.deliver_at;
  if (item.kind == Item::Kind::kData && !to->rx.empty() &&
      to->rx.back().kind == Item::Kind::kData && to->rx.back().deliver_at == item.deliver_at) {
    to->rx.back().bytes.append(item.bytes);  // one OnData for what arrived together, as TCP
  } else {
    to->rx.push_back(std::move(item));
  }
  SchedulePumpLocked(to);
}

void CutLocked(const std::shared_ptr<End>& end, const std::string& error) {
  if (end->closed || end->finished) return;
  end->closed = true;
  // Undelivered data is lost, as with a reset TCP connection; a pending OnOpen still comes
  // first so the handler sees OnOpen before OnClosed.
  std::deque<Item> kept;
  for (Item& item : end->rx) {
    if (item.kind == Item::Kind::kOpen) kept.push_back(std::move(item));
  }
  end->rx.swap(kept);
  Item closed;
  closed.kind = Item::Kind::kClosed;
  closed.bytes = error;
  end->rx.push_back(std::move(closed));
  SchedulePumpLocked(end);
}

namespace {

// Arms a host timer that runs the pump at `deadline`. REQUIRES Registry::mu, on the host loop.
void ArmTimerLocked(const std::shared_ptr<Node>& node, const std::shared_ptr<End>& end,
                    int64_t deadline, int64_t now) {
  if (end->timer_at != -1 && end->timer_at <= deadline) return;
  end->timer_at = deadline;
  node->host->StartTimer(deadline - now, [node, end, deadline] {
    {
      std::lock_guard<std::mutex> lock(Registry::Get().mu);
      if (end->timer_at == deadline) end->timer_at = -1;
    }
    Pump(node, end);
  });
}

}  // namespace

void Pump(const std::shared_ptr<Node>& node, const std::shared_ptr<End>& end) {
  std::lock_guard<std::recursive_mutex> callbacks(node->callback_mu);
  Registry& registry = Registry::Get();
  std::unique_lock<std::mutex> lock(registry.mu);
  end->pump_posted = false;
  for (;;) {
    if (node->stopped || end->finished || end->rx.empty()) return;
    Item& head = end->rx.front();
    switch (head.kind) {
      case Item::Kind::kOpen: {
        end->rx.pop_front();
        end->open_delivered = true;
        lock.unlock();
        end->handler->OnOpen(end->id, end->peer_name);
        lock.lock();
        continue;
      }
      case Item::Kind::kData:
      case Item::Kind::kEof: {
        if (!end->reading) return;  // SetReading(true) schedules the pump again
        const int64_t now = node->host->NowMs();
        if (head.deliver_at > now) {
          ArmTimerLocked(node, end, head.deliver_at, now);
          return;
        }
        if (head.kind == Item::Kind::kEof) break;  // delivered below like kClosed
        std::string bytes = std::move(head.bytes);
        end->rx.pop_front();
        lock.unlock();
        end->handler->OnData(end->id, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        lock.lock();
        continue;
      }
      case Item::Kind::kClosed:
        break;
    }
    // kEof or kClosed: the end is done.
    std::string error = head.kind == Item::Kind::kEof ? std::string() : std::move(head.bytes);
    end->rx.clear();
    end->closed = true;
    end->finished = true;
    end->peer.reset();
    node->ends.erase(end->id);
    lock.unlock();
    end->handler->OnClosed(end->id, error);
    return;
  }
}

}  // namespace zk::inproc
