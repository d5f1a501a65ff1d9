#include "inventory/command_line.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace zkops::inventory {

zk::Status ParseCommandLine(const std::vector<std::string>& args,
                            const std::vector<std::string>& flags,
                            const std::vector<std::string>& valued, CommandLine* out) {
  *out = CommandLine();
  auto known = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-h" || arg == "--help" || arg == "help") {
      out->help = true;
      continue;
    }
    if (arg.empty() || arg[0] != '-' || arg == "-") {
      out->positional.push_back(arg);
      continue;
    }
    std::string value;
    bool has_value = false;
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const bool common = arg == "-i" || arg == "--inventory" || arg == "--env" || arg == "--server";
    if (!common && !known(valued, arg)) {
      if (known(flags, arg) && !has_value) {
        out->flags.insert(arg);
        continue;
      }
      return zk::Status::InvalidArgument("unknown option " + arg);
    }
    if (!has_value) {
      if (i + 1 >= args.size()) return zk::Status::InvalidArgument(arg + " needs a value");
      value = args[++i];
    }
    if (arg == "-i" || arg == "--inventory") {
      out->inventory = value;
    } else if (arg == "--env") {
      out->env = value;
    } else if (arg == "--server") {
      if (value.empty() || value.size() > 3 ||
          value.find_first_not_of("0123456789") != std::string::npos) {
        return zk::Status::InvalidArgument("--server needs a server id (0..255), got '" + value +
                                           "'");
      }
      out->server = std::stoull(value);
    } else {
      out->values[arg] = value;
    }
  }
  if (out->inventory.empty()) {
    const char* env = std::getenv("ZKOPS_INVENTORY");
    if (env != nullptr && *env != '\0') {
      out->inventory = env;
    } else {
      out->inventory = "zkops.yaml";
    }
  }
  return zk::Status::OK();
}

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
