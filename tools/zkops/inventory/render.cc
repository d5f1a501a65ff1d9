// Inventory + environment -> one zoo.cfg and myid per server, in the shape ZooKeeper's
// zookeeperAdmin.md "Clustered (Multi-Server) Setup" shows (tickTime, initLimit, syncLimit,
// dataDir, clientPort, server.N=host:quorum:election) followed by what zknode adds (DESIGN §6).
#include <algorithm>

#include "inventory/inventory.h"

namespace zkops::inventory {
namespace {

using zk::Status;

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool IsPluginKind(const std::string& s) {
  return s == "transport" || s == "storage" || s == "election";
}

// Keys the inventory writes itself: setting them under zooCfg would give zoo.cfg two values
// (Properties keeps the last), so say where they belong instead.
std::string ReservedKeyHint(const std::string& key) {
  if (key == "dataDir" || key == "dataLogDir") return "set paths." + key;
  if (key == "clientPort") return "set ports.client";
  if (key == "admin.serverPort" || key == "admin.enableServer") {
    return "set ports.admin (a port, or false to disable the AdminServer)";
  }
  if (key.rfind("server.", 0) == 0) return "list the server under servers";
  if (key == "peerType") return "set role: observer on the server";
  if (key == "plugin.dir") return "set pluginDir on the environment";
  if (key.rfind("plugin.", 0) == 0) return "choose plugins under environments.<env>.plugins";
  const size_t dot = key.find('.');
  if (dot != std::string::npos && IsPluginKind(key.substr(0, dot))) {
    return "give plugin keys under environments.<env>.plugins.<kind>.keys";
  }
  return "";
}

// Settings in order of first appearance; a later layer replaces the value in place.
Status Merge(const std::vector<Setting>& layer, std::vector<Setting>* merged) {
  for (const Setting& s : layer) {
    const std::string hint = ReservedKeyHint(s.key);
    if (!hint.empty()) {
      return Status::InvalidArgument(s.place.ToString() + ": zkops writes '" + s.key +
                                     "' itself: " + hint);
    }
    auto it = std::find_if(merged->begin(), merged->end(),
                           [&](const Setting& m) { return m.key == s.key; });
    if (it == merged->end()) {
      merged->push_back(s);
    } else {
      *it = s;
    }
  }
  return Status::OK();
}

class Writer {
 public:
  void Line(const std::string& text, const Place& origin) {
    text_ += text + "\n";
    origin_.push_back(origin);
  }
  void Comment(const std::string& text) { Line("# " + text, Place()); }
  std::string text_;
  std::vector<Place> origin_;
};

// host:port in a server line: an IPv6 literal keeps its colons (QuorumPeerConfig splits on
// the last ones), bracketed as ZooKeeper 3.6+ accepts.
std::string HostForServerLine(const std::string& host) {
  if (host.find(':') != std::string::npos) return "[" + host + "]";
  return host;
}

Status ExpandPath(const std::string& text, const std::map<std::string, std::string>& vars,
                  const Place& place, std::string* out) {
  Status s = ExpandTemplate(text, vars, place, out);
  if (!s.ok()) return s;
  if (out->empty() || (*out)[0] != '/') {
    return Status::InvalidArgument(place.ToString() + ": '" + *out +
                                   "' is not an absolute path (zknode and zkops may run from "
                                   "any directory)");
  }
  while (out->size() > 1 && out->back() == '/') out->pop_back();
  return Status::OK();
}

}  // namespace

zk::Status ExpandTemplate(const std::string& text, const std::map<std::string, std::string>& vars,
                          const Place& place, std::string* out) {
  std::string result;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '{') {
      result += text[i++];
      continue;
    }
    size_t close = text.find('}', i);
    if (close == std::string::npos) {
      return Status::InvalidArgument(place.ToString() + ": unclosed '{' in '" + text + "'");
    }
    const std::string name = text.substr(i + 1, close - i - 1);
    auto it = vars.find(name);
    if (it == vars.end()) {
      std::string known;
      for (const auto& [k, v] : vars) known += (known.empty() ? "{" : ", {") + k + "}";
      return Status::InvalidArgument(place.ToString() + ": unknown template {" + name + "} in '" +
                                     text + "' (known here: " + known + ")");
    }
    result += it->second;
    i = close + 1;
  }
  *out = result;
  return Status::OK();
}

const RenderedServer* RenderedCluster::Find(uint64_t id) const {
  for (const RenderedServer& s : servers) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

zk::Status RenderCluster(const Inventory& inv, const Environment& env, RenderedCluster* out) {
  *out = RenderedCluster();
  out->cluster = inv.cluster;
  out->environment = env.name;
  out->inventory = &inv;
  out->env = &env;

  for (const ServerSpec& spec : inv.servers) {
    RenderedServer r;
    r.id = spec.id;
    r.name = spec.name;
    r.host = spec.host;
    r.ssh = spec.ssh;
    r.observer = spec.observer;
    r.client_port = spec.ports.client;
    r.quorum_port = spec.ports.quorum;
    r.election_port = spec.ports.election;
    r.admin_port = spec.ports.admin;
    r.spec = &spec;

    std::map<std::string, std::string> vars = {{"id", std::to_string(spec.id)},
                                               {"cluster", inv.cluster}};
    const PathTemplates& p = spec.paths;
    Status s = ExpandPath(p.install_dir, vars, p.install_dir_place, &r.install_dir);
    if (!s.ok()) return s;
    vars["installDir"] = r.install_dir;
    s = ExpandPath(p.data_dir, vars, p.data_dir_place, &r.data_dir);
    if (!s.ok()) return s;
    vars["dataDir"] = r.data_dir;
    if (!(s = ExpandPath(p.data_log_dir, vars, p.data_log_dir_place, &r.data_log_dir)).ok() ||
        !(s = ExpandPath(p.conf_dir, vars, p.conf_dir_place, &r.conf_dir)).ok() ||
        !(s = ExpandPath(p.log_dir, vars, p.log_dir_place, &r.log_dir)).ok()) {
      return s;
    }
    r.zoo_cfg_path = r.conf_dir + "/zoo.cfg";
    r.myid_path = r.data_dir + "/myid";
    r.myid = std::to_string(spec.id) + "\n";
    out->servers.push_back(std::move(r));
  }

  // zoo.cfg text: every server's file lists every server, so render after all are known.
  for (RenderedServer& r : out->servers) {
    const ServerSpec& spec = *r.spec;
    // zoo_sample.cfg's values: QuorumPeerConfig requires initLimit and syncLimit for an
    // ensemble, and tickTime's code default (3000) differs from the sample's.
    std::vector<Setting> settings;
    for (const auto& [key, value] : {std::pair{"tickTime", "2000"}, std::pair{"initLimit", "10"},
                                     std::pair{"syncLimit", "5"}}) {
      Place place;
      place.file = inv.file;
      place.key = std::string("zooCfg.") + key + " (default)";
      settings.push_back({key, value, place});
    }
    Status s = Merge(inv.settings, &settings);
    if (s.ok()) s = Merge(env.settings, &settings);
    if (s.ok()) s = Merge(spec.settings, &settings);
    if (!s.ok()) return s;

    Writer w;
    w.Comment("zoo.cfg of server." + std::to_string(r.id) + " (" + r.name + "), cluster '" +
              inv.cluster + "', environment '" + env.name + "'.");
    w.Comment("Rendered by zkops from " + Basename(inv.file) +
              ": edit the inventory and run `zkops provision`, not this file.");
    for (const Setting& setting : settings) {
      w.Line(setting.key + "=" + setting.value, setting.place);
    }
    w.Line("dataDir=" + r.data_dir, spec.paths.data_dir_place);
    w.Line("dataLogDir=" + r.data_log_dir, spec.paths.data_log_dir_place);
    w.Line("clientPort=" + std::to_string(r.client_port), spec.ports.client_place);
    // QuorumPeerConfig: an observer must also say so in its own file.
    if (r.observer) w.Line("peerType=observer", spec.place);
    for (const RenderedServer& peer : out->servers) {
      w.Line("server." + std::to_string(peer.id) + "=" + HostForServerLine(peer.host) + ":" +
                 std::to_string(peer.quorum_port) + ":" + std::to_string(peer.election_port) +
                 (peer.observer ? ":observer" : ""),
             peer.spec->place);
    }
    if (r.admin_port == 0) {
      w.Line("admin.enableServer=false", spec.ports.admin_place);
    } else {
      w.Line("admin.serverPort=" + std::to_string(r.admin_port), spec.ports.admin_place);
    }
    if (!env.plugin_dir.empty()) w.Line("plugin.dir=" + env.plugin_dir, env.plugin_dir_place);
    for (const char* kind : {"transport", "storage", "election"}) {
      auto it = env.plugins.find(kind);
      if (it == env.plugins.end()) continue;
      const PluginChoice& choice = it->second;
      w.Line(std::string("plugin.") + kind + "=" + choice.name, choice.place);
      for (const Setting& key : choice.keys) {
        w.Line(std::string(kind) + "." + choice.name + "." + key.key + "=" + key.value, key.place);
      }
    }
    r.zoo_cfg = std::move(w.text_);
    r.line_origin = std::move(w.origin_);
  }
  return Status::OK();
}

}  // namespace zkops::inventory
