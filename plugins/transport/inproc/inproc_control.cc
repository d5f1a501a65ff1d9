// Exported test controls (see inproc_control.h).
#include "inproc_control.h"

#include <boost/dll/alias.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "inproc_state.h"

namespace zk::inproc {
namespace {

int Partition(const char* group_a, const char* group_b) {
  Registry& registry = Registry::Get();
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.partitions.push_back(Registry::Partition{ParseGroup(group_a), ParseGroup(group_b)});
  const std::string error = "inproc: partitioned";
  int cut = 0;
  for (const std::weak_ptr<Node>& weak : registry.nodes) {
    std::shared_ptr<Node> node = weak.lock();
    if (!node || node->stopped) continue;
    std::vector<std::shared_ptr<End>> ends;
    for (const auto& [id, end] : node->ends) ends.push_back(end);
    for (const auto& end : ends) {
      if (end->closed) continue;
      std::shared_ptr<End> peer = end->peer.lock();
      std::shared_ptr<Node> peer_node = peer ? peer->node.lock() : nullptr;
      if (!peer_node || !registry.PartitionedLocked(*node, *peer_node)) continue;
      CutLocked(end, error);
      CutLocked(peer, error);
      ++cut;
    }
  }
  return cut;
}

int SetDelay(const char* group_a, const char* group_b, int64_t delay_ms) {
  if (delay_ms < 0) return -1;
  Registry& registry = Registry::Get();
  std::lock_guard<std::mutex> lock(registry.mu);
  Group a = ParseGroup(group_a);
  Group b = ParseGroup(group_b);
  std::erase_if(registry.delays, [&](const Registry::Delay& d) {
    return (d.a == a && d.b == b) || (d.a == b && d.b == a);
  });
  if (delay_ms > 0) registry.delays.push_back(Registry::Delay{a, b, delay_ms});
  return 0;
}

void Heal() {
  Registry& registry = Registry::Get();
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.partitions.clear();
  registry.delays.clear();
}

}  // namespace
}  // namespace zk::inproc

BOOST_DLL_ALIAS(zk::inproc::Partition, zk_inproc_partition)
BOOST_DLL_ALIAS(zk::inproc::SetDelay, zk_inproc_set_delay)
BOOST_DLL_ALIAS(zk::inproc::Heal, zk_inproc_heal)
