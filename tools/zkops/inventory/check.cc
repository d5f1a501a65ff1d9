// The checks behind `zkops check`. Each one walks the rendered cluster and adds findings;
// none stops the others, so one run lists everything to fix.
#include "inventory/check.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/zoo_cfg.h"
#include "server/process.h"

namespace zkops::inventory {
namespace {

using Severity = Finding::Severity;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool IsLoopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1";
}

class Checker {
 public:
  Checker(const RenderedCluster& cluster, const CheckOptions& options)
      : cluster_(cluster), options_(options) {}

  CheckReport Run() {
    Ids();
    Voters();
    Hosts();
    PortsAndPaths();
    RenderedConfigs();
    Plugins();
    Cidrs();
    return std::move(report_);
  }

 private:
  void Add(Severity severity, const Place& place, const std::string& message) {
    report_.findings.push_back({severity, place, message});
  }

  void Ids() {
    std::map<uint64_t, const ServerSpec*> first;
    for (const ServerSpec& s : cluster_.inventory->servers) {
      auto [it, inserted] = first.emplace(s.id, &s);
      if (!inserted) {
        duplicate_ids_ = true;
        // Properties keeps the last of two server.N lines, so a duplicate silently shrinks
        // the ensemble (operations.md §6.1).
        Add(Severity::kError, s.id_place,
            "duplicate id " + std::to_string(s.id) + ": " + it->second->id_place.ToString() +
                " has it too (each server needs its own myid)");
      }
    }
  }

  void Voters() {
    int voters = 0;
    for (const RenderedServer& s : cluster_.servers) voters += s.observer ? 0 : 1;
    const int tolerated = (voters - 1) / 2;
    const std::string failures =
        std::to_string(tolerated) + (tolerated == 1 ? " failure" : " failures");
    if (voters == 0) {
      Add(Severity::kError, cluster_.inventory->servers.front().place,
          "no voting server: every server is an observer");
      return;
    }
    if (voters % 2 == 0) {
      // zookeeperAdmin.md "Cross Machine Requirements": N even tolerates N/2-1 failures, no
      // more than N-1 servers would.
      Add(Severity::kWarning, cluster_.inventory->servers.front().place,
          std::to_string(voters) + " voters: a majority is " + std::to_string(voters / 2 + 1) +
              ", so the ensemble tolerates " + failures + ", no more than " +
              std::to_string(voters - 1) + " voters would; use an odd number (3 or 5)");
    }
    report_.notes.push_back(std::to_string(voters) + (voters == 1 ? " voter" : " voters") +
                            ": a majority is " + std::to_string(voters / 2 + 1) + ", tolerates " +
                            failures);
  }

  void Hosts() {
    for (const RenderedServer& s : cluster_.servers) {
      auto cached = resolved_.find(s.host);
      if (cached == resolved_.end()) {
        std::vector<std::string> addresses;
        zk::Status st = options_.resolve(s.host, &addresses);
        if (!st.ok() || addresses.empty()) {
          Add(Severity::kError, s.spec->host_place,
              "host '" + s.host + "' does not resolve" +
                  (st.ok() ? std::string() : ": " + st.message()) + " (peers dial it from server." +
                  std::to_string(s.id) + "'s server line)");
          addresses.clear();
        }
        cached = resolved_.emplace(s.host, addresses).first;
      }
      // Two servers are on one machine when they share an address; every loopback address
      // is this machine (a client port binds all addresses).
      std::string key = "name:" + s.host;
      if (!cached->second.empty()) {
        key = IsLoopback(cached->second.front()) ? "loopback" : cached->second.front();
      }
      machine_[&s] = key;
    }
  }

  struct Use {
    const RenderedServer* server;
    std::string what;
    Place place;
  };

  void PortsAndPaths() {
    std::map<std::string, std::map<uint16_t, Use>> ports;  // machine -> port -> first use
    std::map<std::string, std::map<std::string, Use>> dirs;
    for (const RenderedServer& s : cluster_.servers) {
      const std::string& machine = machine_[&s];
      const Ports& p = s.spec->ports;
      std::vector<std::pair<uint16_t, Use>> uses = {
          {s.client_port, {&s, "client port", p.client_place}},
          {s.quorum_port, {&s, "quorum port", p.quorum_place}},
          {s.election_port, {&s, "election port", p.election_place}},
      };
      if (s.admin_port != 0) uses.push_back({s.admin_port, {&s, "admin port", p.admin_place}});
      for (const auto& [port, use] : uses) {
        auto [it, inserted] = ports[machine].emplace(port, use);
        if (inserted) continue;
        const Use& other = it->second;
        Add(Severity::kError, use.place,
            "port " + std::to_string(port) + " clash on host " + s.host + ": server." +
                std::to_string(s.id) + "'s " + use.what + " is also server." +
                std::to_string(other.server->id) + "'s " + other.what + " (" +
                other.place.ToString() + ")");
      }
      const PathTemplates& t = s.spec->paths;
      std::vector<std::pair<std::string, Use>> paths = {
          {s.data_dir, {&s, "dataDir", t.data_dir_place}},
          {s.conf_dir + "/zoo.cfg", {&s, "zoo.cfg (confDir)", t.conf_dir_place}},
      };
      if (s.data_log_dir != s.data_dir) {
        paths.push_back({s.data_log_dir, {&s, "dataLogDir", t.data_log_dir_place}});
      }
      for (const auto& [path, use] : paths) {
        auto [it, inserted] = dirs[machine].emplace(path, use);
        if (inserted || it->second.server == &s) continue;
        Add(Severity::kError, use.place,
            path + " is used by server." + std::to_string(s.id) + " (" + use.what +
                ") and server." + std::to_string(it->second.server->id) + " (" + it->second.what +
                ", " + it->second.place.ToString() +
                ") on the same host: each server needs its own");
      }
    }
  }

  // Maps "FILE:LINE: why" from zknode's parser back to the inventory line that produced
  // rendered line LINE.
  std::string FromRendered(const RenderedServer& s, const std::string& message, Place* place) {
    const std::string prefix = s.zoo_cfg_path + ":";
    *place = s.spec->place;
    if (message.rfind(prefix, 0) != 0) return message;
    size_t end = message.find(':', prefix.size());
    const std::string digits = message.substr(prefix.size(), end - prefix.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
      return message;
    }
    const size_t line = std::stoul(digits);
    if (line >= 1 && line <= s.line_origin.size() && s.line_origin[line - 1].line != 0) {
      *place = s.line_origin[line - 1];
    }
    return "rendered zoo.cfg of server." + std::to_string(s.id) + ", line " + digits +
           message.substr(end);
  }

  // The rendered file must be one zknode accepts, and its server lines must name this
  // server with the id its myid holds (QuorumPeer: "My id N not in the peer list").
  void RenderedConfigs() {
    // Duplicate server.N lines are reported once, by Ids(), not again for every file.
    if (duplicate_ids_) return;
    for (const RenderedServer& s : cluster_.servers) {
      zk::config::ZooConfig cfg;
      zk::Status st = zk::config::ParseZooConfig(s.zoo_cfg, s.zoo_cfg_path, &cfg);
      if (!st.ok()) {
        Place place;
        std::string why = FromRendered(s, st.message(), &place);
        Add(Severity::kError, place, why);
        continue;
      }
      for (const std::string& w : cfg.warnings) {
        Place place;
        std::string why = FromRendered(s, w, &place);
        Add(Severity::kWarning, place, why);
      }
      cfg.my_id = s.id;
      cfg.has_my_id = true;
      const zk::config::ServerLine* self = cfg.self();
      std::string myid_text = s.myid.substr(0, s.myid.find('\n'));
      if (self == nullptr || myid_text != std::to_string(s.id) || self->host != s.host ||
          self->quorum_port != s.quorum_port || self->election_port != s.election_port) {
        Add(Severity::kError, s.spec->id_place,
            "myid " + myid_text + " has no matching server." + std::to_string(s.id) +
                " line with " + s.host + ":" + std::to_string(s.quorum_port) + ":" +
                std::to_string(s.election_port) + " in the rendered zoo.cfg");
      }
      if (options_.check_disk && s.local()) {
        std::ifstream in(s.myid_path);
        std::string on_disk;
        if (in && std::getline(in, on_disk)) {
          const size_t b = on_disk.find_first_not_of(" \t\r");
          const size_t e = on_disk.find_last_not_of(" \t\r");
          on_disk = b == std::string::npos ? "" : on_disk.substr(b, e - b + 1);
          if (on_disk != std::to_string(s.id)) {
            Add(Severity::kError, s.spec->id_place,
                s.myid_path + " already holds myid '" + on_disk + "', but this server is " +
                    "server." + std::to_string(s.id) +
                    " (another server's dataDir? `zkops provision` refuses to change it "
                    "without --force)");
          }
        }
      }
    }
  }

  void Plugins() {
    const Environment& env = *cluster_.env;
    std::string dir = options_.plugin_dir;
    if (dir.empty()) dir = env.plugin_dir;
    if (dir.empty()) dir = DefaultPluginDirForZkops();
    std::error_code ec;
    const bool dir_exists = std::filesystem::is_directory(dir, ec);
    for (const char* kind : {"transport", "storage", "election"}) {
      const std::string name = PluginFor(cluster_, kind);
      auto chosen = env.plugins.find(kind);
      Place place;
      if (chosen != env.plugins.end()) {
        place = chosen->second.place;
      } else {
        place = env.place;
        place.key = "environments." + env.name + ".plugins." + kind + " (zknode's default)";
      }
      const std::string file = dir + "/libzk_" + kind + "_" + name + ".so";
      if (std::filesystem::exists(file, ec)) continue;
      std::vector<std::string> available;
      const std::string prefix = std::string("libzk_") + kind + "_";
      for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end;
           it.increment(ec)) {
        const std::string f = it->path().filename().string();
        if (f.rfind(prefix, 0) == 0 && f.size() > prefix.size() + 3 &&
            f.compare(f.size() - 3, 3, ".so") == 0) {
          available.push_back(f.substr(prefix.size(), f.size() - prefix.size() - 3));
        }
      }
      std::sort(available.begin(), available.end());
      Add(Severity::kError, place,
          "no " + std::string(kind) + " plugin '" + name + "': " + file + " does not exist" +
              (dir_exists ? "; available " + std::string(kind) +
                                " plugins: " + (available.empty() ? "none" : Join(available))
                          : "; the plugin directory " + dir +
                                " does not exist (give --plugin-dir, or pluginDir in the "
                                "environment)"));
    }
    // zknode refuses memory storage in an ensemble unless told a restart is always a fresh
    // member (plugins/storage/memory/README.md, allowEnsemble).
    if (PluginFor(cluster_, "storage") == "memory" && cluster_.servers.size() > 1) {
      bool allowed = false;
      auto it = env.plugins.find("storage");
      for (const Setting& k : it->second.keys) {
        allowed |= k.key == "allowEnsemble" && k.value == "true";
      }
      if (!allowed) {
        Add(Severity::kError, it->second.place,
            "zknode refuses memory storage in a multi-server ensemble: add keys: "
            "{allowEnsemble: true} (a restarted member comes back empty; only for dev and "
            "tests)");
      }
    }
  }

  void Cidrs() {
    const Environment& env = *cluster_.env;
    if (env.client_cidrs.empty()) {
      Add(Severity::kWarning, env.place,
          "no clientCidrs: `zkops firewall` will open the client ports to nobody");
    }
  }

  const RenderedCluster& cluster_;
  const CheckOptions& options_;
  CheckReport report_;
  bool duplicate_ids_ = false;
  std::map<std::string, std::vector<std::string>> resolved_;  // host -> addresses
  std::map<const RenderedServer*, std::string> machine_;      // server -> machine key
};

}  // namespace

std::string Finding::ToString() const {
  return std::string(severity == Severity::kError ? "error: " : "warning: ") + place.ToString() +
         ": " + message;
}

int CheckReport::errors() const {
  int n = 0;
  for (const Finding& f : findings) n += f.severity == Finding::Severity::kError ? 1 : 0;
  return n;
}

int CheckReport::warnings() const { return static_cast<int>(findings.size()) - errors(); }

zk::Status ResolveHost(const std::string& host, std::vector<std::string>* addresses) {
  addresses->clear();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (rc != 0) return zk::Status::NotFound(::gai_strerror(rc));
  std::vector<std::string> v4, v6;
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    char buf[NI_MAXHOST];
    if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof(buf), nullptr, 0, NI_NUMERICHOST) !=
        0) {
      continue;
    }
    auto& list = ai->ai_family == AF_INET ? v4 : v6;
    if (std::find(list.begin(), list.end(), buf) == list.end()) list.push_back(buf);
  }
  ::freeaddrinfo(result);
  addresses->insert(addresses->end(), v4.begin(), v4.end());
  addresses->insert(addresses->end(), v6.begin(), v6.end());
  if (addresses->empty()) return zk::Status::NotFound("no address");
  return zk::Status::OK();
}

std::string DefaultPluginDirForZkops() {
  std::string bin = server::SelfExeDir();
  if (bin.empty()) return ZK_PLUGIN_REL_DIR;
  return std::filesystem::path(bin + "/../" + ZK_PLUGIN_REL_DIR).lexically_normal().string();
}

std::string PluginFor(const RenderedCluster& cluster, const std::string& kind) {
  auto it = cluster.env->plugins.find(kind);
  if (it != cluster.env->plugins.end()) return it->second.name;
  if (kind == "transport") return "tcp";
  if (kind == "storage") return "sqlite";
  int voters = 0;
  for (const RenderedServer& s : cluster.servers) voters += s.observer ? 0 : 1;
  return voters > 1 ? "raft" : "standalone";
}

CheckReport CheckCluster(const RenderedCluster& cluster, const CheckOptions& options) {
  return Checker(cluster, options).Run();
}

}  // namespace zkops::inventory
