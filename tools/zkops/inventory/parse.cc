// YAML -> Inventory. Strict: an unknown key is an error with a "did you mean" (a typo in an
// inventory would otherwise silently fall back to a default), and every error carries the
// node's place from yaml-cpp's Mark.
#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "inventory/inventory.h"

namespace zkops::inventory {
namespace {

using zk::Status;

int Distance(const std::string& a, const std::string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int cost = std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
    }
    prev.swap(cur);
  }
  return prev[b.size()];
}

std::string Closest(const std::string& word, const std::vector<std::string>& candidates) {
  const int limit = word.size() <= 4 ? 1 : word.size() <= 9 ? 2 : 3;
  std::string best;
  int best_d = limit + 1;
  for (const std::string& c : candidates) {
    int d = Distance(word, c);
    if (d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  Place At(const YAML::Node& node, const std::string& key) const {
    Place p;
    p.file = file_;
    p.key = key;
    YAML::Mark m = node.Mark();
    if (!m.is_null()) {
      p.line = m.line + 1;
      p.column = m.column + 1;
    }
    return p;
  }

  Status Err(const YAML::Node& node, const std::string& key, const std::string& why) const {
    return Status::InvalidArgument(At(node, key).ToString() + ": " + why);
  }

  // A mapping whose keys are all in `allowed`, each once.
  Status CheckMap(const YAML::Node& node, const std::string& key,
                  const std::vector<std::string>& allowed) const {
    if (!node.IsMap()) return Err(node, key, "expected a mapping (key: value lines)");
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const std::string k = kv.first.Scalar();
      const std::string path = key.empty() ? k : key + "." + k;
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string hint = Closest(k, allowed);
        return Err(kv.first, path,
                   "unknown key" + (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                       " (known here: " + JoinNames(allowed) + ")");
      }
      if (!seen.insert(k).second) return Err(kv.first, path, "key given twice");
    }
    return Status::OK();
  }

  Status String(const YAML::Node& node, const std::string& key, std::string* out) const {
    if (!node.IsScalar()) return Err(node, key, "expected a single value");
    // Every value ends up on one line of zoo.cfg or the systemd unit: a line break would
    // smuggle in lines of its own (found by tests/fuzz/inventory_fuzz.cc).
    if (node.Scalar().find_first_of("\r\n") != std::string::npos) {
      return Err(node, key, "a value is one line");
    }
    *out = node.Scalar();
    return Status::OK();
  }

  Status Uint(const YAML::Node& node, const std::string& key, uint64_t max, uint64_t* out) const {
    if (!node.IsScalar()) return Err(node, key, "expected a number");
    const std::string& s = node.Scalar();
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
      return Err(node, key, "'" + s + "' is not a whole number");
    }
    uint64_t v = std::stoull(s);
    if (v > max) return Err(node, key, s + " is above the maximum " + std::to_string(max));
    *out = v;
    return Status::OK();
  }

  Status Port(const YAML::Node& node, const std::string& key, bool may_disable, uint16_t* out,
              Place* place) const {
    *place = At(node, key);
    if (may_disable && node.IsScalar() &&
        (node.Scalar() == "false" || node.Scalar() == "off" || node.Scalar() == "0")) {
      *out = 0;
      return Status::OK();
    }
    uint64_t v = 0;
    Status s = Uint(node, key, 65535, &v);
    if (!s.ok()) return s;
    if (v == 0) return Err(node, key, "port 0 is not a fixed port");
    *out = static_cast<uint16_t>(v);
    return Status::OK();
  }

  Status ParsePorts(const YAML::Node& node, const std::string& key, Ports* ports) const {
    Status s = CheckMap(node, key, {"client", "quorum", "election", "admin"});
    if (!s.ok()) return s;
    if (node["client"]) {
      s = Port(node["client"], key + ".client", false, &ports->client, &ports->client_place);
      if (!s.ok()) return s;
    }
    if (node["quorum"]) {
      s = Port(node["quorum"], key + ".quorum", false, &ports->quorum, &ports->quorum_place);
      if (!s.ok()) return s;
    }
    if (node["election"]) {
      s = Port(node["election"], key + ".election", false, &ports->election,
               &ports->election_place);
      if (!s.ok()) return s;
    }
    if (node["admin"]) {
      s = Port(node["admin"], key + ".admin", true, &ports->admin, &ports->admin_place);
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  Status ParsePaths(const YAML::Node& node, const std::string& key, PathTemplates* paths) const {
    Status s = CheckMap(node, key, {"installDir", "confDir", "dataDir", "dataLogDir", "logDir"});
    if (!s.ok()) return s;
    struct Field {
      const char* name;
      std::string* value;
      Place* place;
    } fields[] = {
        {"installDir", &paths->install_dir, &paths->install_dir_place},
        {"confDir", &paths->conf_dir, &paths->conf_dir_place},
        {"dataDir", &paths->data_dir, &paths->data_dir_place},
        {"dataLogDir", &paths->data_log_dir, &paths->data_log_dir_place},
        {"logDir", &paths->log_dir, &paths->log_dir_place},
    };
    for (const Field& f : fields) {
      if (!node[f.name]) continue;
      const std::string k = key + "." + f.name;
      s = String(node[f.name], k, f.value);
      if (!s.ok()) return s;
      if (f.value->empty()) return Err(node[f.name], k, "empty path");
      *f.place = At(node[f.name], k);
    }
    return Status::OK();
  }

  // zooCfg: key: value lines, scalars only, rendered as written.
  Status ParseSettings(const YAML::Node& node, const std::string& key,
                       std::vector<Setting>* out) const {
    if (!node.IsMap()) return Err(node, key, "expected a mapping of zoo.cfg keys to values");
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const std::string k = kv.first.Scalar();
      const std::string path = key + "." + k;
      if (k.empty() || k.find_first_of(" \t\r\n=:#!") != std::string::npos) {
        return Err(kv.first, path, "not a zoo.cfg key");
      }
      if (!seen.insert(k).second) return Err(kv.first, path, "key given twice");
      if (!kv.second.IsScalar()) return Err(kv.second, path, "expected a single value");
      if (kv.second.Scalar().find_first_of("\r\n") != std::string::npos) {
        return Err(kv.second, path, "a zoo.cfg value is one line");
      }
      out->push_back({k, kv.second.Scalar(), At(kv.second, path)});
    }
    return Status::OK();
  }

  Status ParseCidrs(const YAML::Node& node, const std::string& key, std::vector<Cidr>* out) const {
    if (!node.IsSequence()) return Err(node, key, "expected a list of CIDRs ([10.0.0.0/8, ...])");
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string k = key + "[" + std::to_string(i) + "]";
      std::string text;
      Status s = String(node[i], k, &text);
      if (!s.ok()) return s;
      const size_t slash = text.find('/');
      const std::string addr = text.substr(0, slash);
      unsigned char buf[16];
      int max_prefix = 0;
      if (::inet_pton(AF_INET, addr.c_str(), buf) == 1) {
        max_prefix = 32;
      } else if (::inet_pton(AF_INET6, addr.c_str(), buf) == 1) {
        max_prefix = 128;
      } else {
        return Err(node[i], k, "'" + text + "' is not an IPv4 or IPv6 address or CIDR");
      }
      if (slash != std::string::npos) {
        const std::string prefix = text.substr(slash + 1);
        if (prefix.empty() || prefix.size() > 3 ||
            prefix.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(prefix) > max_prefix) {
          return Err(node[i], k,
                     "'" + text + "': bad prefix length (0.." + std::to_string(max_prefix) + ")");
        }
      }
      out->push_back({text, At(node[i], k)});
    }
    return Status::OK();
  }

  Status ParsePlugin(const YAML::Node& node, const std::string& key, PluginChoice* out) const {
    out->place = At(node, key);
    if (node.IsScalar()) return PluginName(node, key, &out->name);
    Status s = CheckMap(node, key, {"name", "keys"});
    if (!s.ok()) return s;
    if (!node["name"]) return Err(node, key, "missing 'name' (the plugin's name, e.g. sqlite)");
    s = PluginName(node["name"], key + ".name", &out->name);
    if (!s.ok()) return s;
    if (node["keys"]) {
      s = ParseSettings(node["keys"], key + ".keys", &out->keys);
      if (!s.ok()) return s;
      for (const Setting& k : out->keys) {
        if (k.key.find('.') != std::string::npos) {
          return Status::InvalidArgument(
              k.place.ToString() + ": give the key's short name; zkops adds the '" +
              key.substr(key.rfind('.') + 1) + "." + out->name + ".' prefix");
        }
      }
    }
    return Status::OK();
  }

  Status PluginName(const YAML::Node& node, const std::string& key, std::string* out) const {
    Status s = String(node, key, out);
    if (!s.ok()) return s;
    bool ok = !out->empty() && std::all_of(out->begin(), out->end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!ok) return Err(node, key, "'" + *out + "' is not a plugin name (letters, digits, _ -)");
    return Status::OK();
  }

  Status ParseEnvironment(const std::string& name, const YAML::Node& node, Environment* env) const {
    const std::string key = "environments." + name;
    env->name = name;
    env->place = At(node, key);
    if (node.IsNull()) return Status::OK();
    Status s = CheckMap(node, key, {"plugins", "pluginDir", "clientCidrs", "adminCidrs", "zooCfg"});
    if (!s.ok()) return s;
    if (node["plugins"]) {
      const YAML::Node plugins = node["plugins"];
      s = CheckMap(plugins, key + ".plugins", {"transport", "storage", "election"});
      if (!s.ok()) return s;
      for (const auto& kv : plugins) {
        const std::string kind = kv.first.Scalar();
        s = ParsePlugin(kv.second, key + ".plugins." + kind, &env->plugins[kind]);
        if (!s.ok()) return s;
      }
    }
    if (node["pluginDir"]) {
      s = String(node["pluginDir"], key + ".pluginDir", &env->plugin_dir);
      if (!s.ok()) return s;
      env->plugin_dir_place = At(node["pluginDir"], key + ".pluginDir");
    }
    if (node["clientCidrs"]) {
      s = ParseCidrs(node["clientCidrs"], key + ".clientCidrs", &env->client_cidrs);
      if (!s.ok()) return s;
    }
    if (node["adminCidrs"]) {
      s = ParseCidrs(node["adminCidrs"], key + ".adminCidrs", &env->admin_cidrs);
      if (!s.ok()) return s;
    }
    if (node["zooCfg"]) {
      s = ParseSettings(node["zooCfg"], key + ".zooCfg", &env->settings);
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  // Fields a server may take from `defaults`.
  struct Defaults {
    std::string host, ssh;
    Place host_place;
    Ports ports;
    PathTemplates paths;
  };

  Status ParseServer(size_t index, const YAML::Node& node, const Defaults& defaults,
                     ServerSpec* server) const {
    const std::string key = "servers[" + std::to_string(index) + "]";
    server->place = At(node, key);
    Status s =
        CheckMap(node, key, {"id", "name", "host", "ssh", "role", "ports", "paths", "zooCfg"});
    if (!s.ok()) return s;
    if (!node["id"]) return Err(node, key, "missing 'id' (the server's myid, 0..255)");
    // ZooKeeper puts myid in the top byte of session ids (SessionTrackerImpl), so ids above
    // 255 would make two servers hand out the same session ids (zookeeperAdmin.md: 1-255).
    s = Uint(node["id"], key + ".id", 255, &server->id);
    if (!s.ok()) return s;
    server->id_place = At(node["id"], key + ".id");
    server->host = defaults.host;
    server->host_place = defaults.host_place;
    if (node["host"]) {
      s = String(node["host"], key + ".host", &server->host);
      if (!s.ok()) return s;
      server->host_place = At(node["host"], key + ".host");
    }
    if (server->host.empty()) {
      return Err(node, key, "missing 'host' (here or under defaults)");
    }
    if (server->host.find_first_of(" \t/;|=[]") != std::string::npos) {
      return Status::InvalidArgument(server->host_place.ToString() + ": '" + server->host +
                                     "' is not a host name or address");
    }
    server->ssh = defaults.ssh;
    if (node["ssh"]) {
      s = String(node["ssh"], key + ".ssh", &server->ssh);
      if (!s.ok()) return s;
    }
    if (node["name"]) {
      s = String(node["name"], key + ".name", &server->name);
      if (!s.ok()) return s;
    }
    if (server->name.empty()) server->name = server->host;
    if (node["role"]) {
      std::string role;
      s = String(node["role"], key + ".role", &role);
      if (!s.ok()) return s;
      if (role != "participant" && role != "observer") {
        return Err(node["role"], key + ".role", "expected participant or observer");
      }
      server->observer = role == "observer";
    }
    server->ports = defaults.ports;
    server->paths = defaults.paths;
    // A built-in default has no line: point at the server that uses it instead.
    for (Place* p :
         {&server->ports.client_place, &server->ports.quorum_place, &server->ports.election_place,
          &server->ports.admin_place, &server->paths.install_dir_place,
          &server->paths.conf_dir_place, &server->paths.data_dir_place,
          &server->paths.data_log_dir_place, &server->paths.log_dir_place}) {
      if (p->line == 0) *p = At(node, key + " (" + p->key + ")");
    }
    if (node["ports"]) {
      s = ParsePorts(node["ports"], key + ".ports", &server->ports);
      if (!s.ok()) return s;
    }
    if (node["paths"]) {
      s = ParsePaths(node["paths"], key + ".paths", &server->paths);
      if (!s.ok()) return s;
    }
    if (server->paths.data_dir.empty()) {
      return Err(node, key, "no dataDir: set paths.dataDir here or under defaults.paths");
    }
    if (node["zooCfg"]) {
      s = ParseSettings(node["zooCfg"], key + ".zooCfg", &server->settings);
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  // Built-in defaults carry a place naming the key a person would set to change them.
  void DefaultPlaces(Defaults* d) const {
    auto def = [&](const std::string& k) {
      Place p;
      p.file = file_;
      p.key = k;
      return p;
    };
    d->ports.client_place = def("defaults.ports.client");
    d->ports.quorum_place = def("defaults.ports.quorum");
    d->ports.election_place = def("defaults.ports.election");
    d->ports.admin_place = def("defaults.ports.admin");
    d->paths.install_dir_place = def("defaults.paths.installDir");
    d->paths.conf_dir_place = def("defaults.paths.confDir");
    d->paths.data_dir_place = def("defaults.paths.dataDir");
    d->paths.data_log_dir_place = def("defaults.paths.dataLogDir");
    d->paths.log_dir_place = def("defaults.paths.logDir");
  }

  Status ParseSystemd(const YAML::Node& node, SystemdOptions* out) const {
    Status s = CheckMap(node, "systemd", {"user", "group", "limitNOFILE", "unitName", "zknode"});
    if (!s.ok()) return s;
    if (node["user"] && !(s = String(node["user"], "systemd.user", &out->user)).ok()) return s;
    if (node["group"] && !(s = String(node["group"], "systemd.group", &out->group)).ok()) return s;
    if (node["unitName"] &&
        !(s = String(node["unitName"], "systemd.unitName", &out->unit_name)).ok()) {
      return s;
    }
    if (node["zknode"] && !(s = String(node["zknode"], "systemd.zknode", &out->zknode)).ok()) {
      return s;
    }
    if (node["limitNOFILE"]) {
      s = Uint(node["limitNOFILE"], "systemd.limitNOFILE", 1u << 30, &out->limit_nofile);
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  Status Parse(const YAML::Node& root, Inventory* inv) const {
    if (!root.IsDefined() || root.IsNull()) {
      return Status::InvalidArgument(file_ + ": empty inventory");
    }
    Status s = CheckMap(root, "",
                        {"cluster", "defaultEnvironment", "defaults", "zooCfg", "servers",
                         "environments", "systemd"});
    if (!s.ok()) return s;
    if (!root["cluster"]) return Err(root, "cluster", "missing 'cluster' (the ensemble's name)");
    s = String(root["cluster"], "cluster", &inv->cluster);
    if (!s.ok()) return s;
    inv->cluster_place = At(root["cluster"], "cluster");
    // The name ends up in an iptables chain (ZKOPS-<cluster>, at most 28 characters) and an
    // nftables table name.
    bool good = !inv->cluster.empty() && inv->cluster.size() <= 22 &&
                std::isalnum(static_cast<unsigned char>(inv->cluster[0])) &&
                std::all_of(inv->cluster.begin(), inv->cluster.end(), [](char c) {
                  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                });
    if (!good) {
      return Err(root["cluster"], "cluster",
                 "'" + inv->cluster +
                     "': a cluster name is 1-22 letters, digits, '_' or '-', starting with a "
                     "letter or digit (it names the firewall chain)");
    }

    Defaults defaults;
    DefaultPlaces(&defaults);
    if (root["defaults"]) {
      const YAML::Node d = root["defaults"];
      s = CheckMap(d, "defaults", {"host", "ssh", "ports", "paths"});
      if (!s.ok()) return s;
      if (d["host"]) {
        s = String(d["host"], "defaults.host", &defaults.host);
        if (!s.ok()) return s;
        defaults.host_place = At(d["host"], "defaults.host");
      }
      if (d["ssh"] && !(s = String(d["ssh"], "defaults.ssh", &defaults.ssh)).ok()) return s;
      if (d["ports"] && !(s = ParsePorts(d["ports"], "defaults.ports", &defaults.ports)).ok()) {
        return s;
      }
      if (d["paths"] && !(s = ParsePaths(d["paths"], "defaults.paths", &defaults.paths)).ok()) {
        return s;
      }
    }
    if (root["zooCfg"]) {
      s = ParseSettings(root["zooCfg"], "zooCfg", &inv->settings);
      if (!s.ok()) return s;
    }
    if (root["systemd"]) {
      s = ParseSystemd(root["systemd"], &inv->systemd);
      if (!s.ok()) return s;
    }

    if (!root["servers"]) return Err(root, "servers", "missing 'servers' (a list of servers)");
    const YAML::Node servers = root["servers"];
    if (!servers.IsSequence() || servers.size() == 0) {
      return Err(servers, "servers", "expected a non-empty list of servers");
    }
    for (size_t i = 0; i < servers.size(); ++i) {
      ServerSpec server;
      s = ParseServer(i, servers[i], defaults, &server);
      if (!s.ok()) return s;
      inv->servers.push_back(std::move(server));
    }

    if (!root["environments"]) {
      return Err(root, "environments", "missing 'environments' (dev, test, prod, ...)");
    }
    const YAML::Node envs = root["environments"];
    if (!envs.IsMap() || envs.size() == 0) {
      return Err(envs, "environments", "expected a mapping of environment names");
    }
    std::set<std::string> names;
    for (const auto& kv : envs) {
      const std::string name = kv.first.Scalar();
      if (name.find_first_of("\r\n") != std::string::npos) {  // named in zoo.cfg's comment
        return Err(kv.first, "environments", "an environment name is one line");
      }
      if (!names.insert(name).second) {
        return Err(kv.first, "environments." + name, "environment given twice");
      }
      Environment env;
      s = ParseEnvironment(name, kv.second, &env);
      if (!s.ok()) return s;
      inv->environments.push_back(std::move(env));
    }
    if (root["defaultEnvironment"]) {
      s = String(root["defaultEnvironment"], "defaultEnvironment", &inv->default_environment);
      if (!s.ok()) return s;
      if (names.count(inv->default_environment) == 0) {
        return Err(root["defaultEnvironment"], "defaultEnvironment",
                   "no environment '" + inv->default_environment + "' under environments");
      }
    }
    return Status::OK();
  }

 private:
  std::string file_;
};

}  // namespace

std::string Place::Where() const {
  if (line == 0) return file.empty() ? "(default)" : file + ": (default)";
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Place::ToString() const {
  if (key.empty()) return Where();
  return Where() + ": " + key;
}

const Environment* Inventory::FindEnvironment(const std::string& name) const {
  for (const Environment& e : environments) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const ServerSpec* Inventory::FindServer(uint64_t id) const {
  for (const ServerSpec& s : servers) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

zk::Status ParseInventory(const std::string& text, const std::string& file, Inventory* out) {
  *out = Inventory();
  out->file = file;
  Parser parser(file);
  // yaml-cpp reports through exceptions; none leaves this function.
  try {
    YAML::Node root = YAML::Load(text);
    return parser.Parse(root, out);
  } catch (const YAML::Exception& e) {
    std::string where = file;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return zk::Status::InvalidArgument(where + ": YAML: " + e.msg);
  }
}

zk::Status LoadInventory(const std::string& path, Inventory* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return zk::Status::NotFound("cannot read inventory " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseInventory(buf.str(), path, out);
}

zk::Status SelectEnvironment(const Inventory& inv, const std::string& name,
                             const Environment** out) {
  std::vector<std::string> names;
  for (const Environment& e : inv.environments) names.push_back(e.name);
  std::string wanted = name.empty() ? inv.default_environment : name;
  if (wanted.empty()) {
    if (inv.environments.size() == 1) {
      *out = &inv.environments[0];
      return zk::Status::OK();
    }
    return zk::Status::InvalidArgument(inv.file + ": choose an environment with --env (" +
                                       JoinNames(names) +
                                       "), or set defaultEnvironment in the inventory");
  }
  *out = inv.FindEnvironment(wanted);
  if (*out == nullptr) {
    return zk::Status::InvalidArgument(inv.file + ": no environment '" + wanted +
                                       "' (have: " + JoinNames(names) + ")");
  }
  return zk::Status::OK();
}

}  // namespace zkops::inventory
