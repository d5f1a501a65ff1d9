#include "inventory/command_line.h"

namespace zkops::inventory {

zk::Status LoadCluster(const std::string& inventory_path, const std::string& env,
                       LoadedCluster* out) {
  zk::Status s = LoadInventory(inventory_path, &out->inventory);
  if (!s.ok()) {
    if (s.code() == zk::Status::Code::kNotFound) {
      return zk::Status::NotFound(s.message() +
                                  " (give -i FILE, or set ZKOPS_INVENTORY; examples in "
                                  "configs/inventory/)");
    }
    return s;
  }
  s = SelectEnvironment(out->inventory, env, &out->env);
  if (!s.ok()) return s;
  return RenderCluster(out->inventory, *out->env, &out->cluster);
}

zk::Status SelectServers(const RenderedCluster& cluster, const std::optional<uint64_t>& server,
                         std::vector<const RenderedServer*>* out) {
  out->clear();
  for (const RenderedServer& s : cluster.servers) {
    if (!server || s.id == *server) out->push_back(&s);
  }
  if (server && out->empty()) {
    std::string ids;
    for (const RenderedServer& s : cluster.servers) {
      ids += (ids.empty() ? "" : ", ") + std::to_string(s.id);
    }
    return zk::Status::NotFound("no server " + std::to_string(*server) + " in cluster '" +
                                cluster.cluster + "' (servers: " + ids + ")");
  }
  return zk::Status::OK();
}

}  // namespace zkops::inventory
