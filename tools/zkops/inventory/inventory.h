// The zkops inventory: one YAML file that describes an ensemble (servers, ports, paths, zoo.cfg
// settings) and its environments (dev, test, prod: plugins and firewall CIDRs), and renders
// each server's zoo.cfg and myid the way ZooKeeper reads them (DESIGN §1, §6; operations.md
// §1.9). Every command that acts on an ensemble (check, provision, firewall, status, deploy)
// starts from LoadInventory + SelectEnvironment + RenderCluster.
//
// The file format is described in configs/inventory/README.md. Nothing here touches the
// disk except LoadInventory reading the file; nothing here resolves names.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "zk/status.h"

namespace zkops::inventory {

// Where a value came from: "file:line:column: key" (1-based, from yaml-cpp's Mark), so every
// message can send the operator to the line to fix. `key` is the path of the node,
// e.g. "servers[1].ports.quorum".
struct Place {
  std::string file;
  int line = 0;  // 0 = unknown (a built-in default)
  int column = 0;
  std::string key;

  // "inv.yaml:12:7: servers[1].ports.quorum", or "(default) servers[1].ports.quorum".
  std::string ToString() const;
  // "inv.yaml:12:7" (no key), or "(default)".
  std::string Where() const;
};

// One zoo.cfg line from the inventory: key=value, as the YAML wrote the value.
struct Setting {
  std::string key;
  std::string value;
  Place place;
};

// Ports of one server. 0 for admin = AdminServer disabled (rendered admin.enableServer=false).
struct Ports {
  uint16_t client = 2181;
  uint16_t quorum = 2888;
  uint16_t election = 3888;
  uint16_t admin = 0;
  Place client_place, quorum_place, election_place, admin_place;
};

// Paths as written, with {id}, {cluster}, {installDir} and {dataDir} still unexpanded.
struct PathTemplates {
  std::string install_dir = "/opt/zkops";
  std::string conf_dir = "{installDir}/conf";  // zoo.cfg lives in <confDir>/zoo.cfg
  std::string data_dir;                        // required
  std::string data_log_dir = "{dataDir}";
  std::string log_dir = "{installDir}/logs";
  Place install_dir_place, conf_dir_place, data_dir_place, data_log_dir_place, log_dir_place;
};

struct ServerSpec {
  uint64_t id = 0;
  std::string name;  // a label for people ("h101"); defaults to the host
  std::string host;  // the address in server.N lines and what peers connect to
  std::string ssh;   // ssh target ("root@192.168.100.101"); "" = this machine
  bool observer = false;
  Ports ports;
  PathTemplates paths;
  std::vector<Setting> settings;  // per-server zooCfg overrides
  Place place;                    // the list entry
  Place id_place, host_place;
};

// The plugin an environment picks for one kind, with its keys (rendered
// `<kind>.<name>.<key>=value`, which zknode checks against the plugin's declared keys).
struct PluginChoice {
  std::string name;
  std::vector<Setting> keys;  // key = the short name ("allowEnsemble")
  Place place;
};

struct Cidr {
  std::string text;  // "10.0.0.0/8", "192.168.100.7" (a single address), "::1/128"
  Place place;
};

struct Environment {
  std::string name;
  // kind ("transport", "storage", "election") -> choice. A kind absent here is left to
  // zknode's default (tcp, sqlite, raft/standalone).
  std::map<std::string, PluginChoice> plugins;
  std::string plugin_dir;  // "" = not rendered (zknode's default next to its binary)
  Place plugin_dir_place;
  std::vector<Cidr> client_cidrs;  // who may reach client ports
  std::vector<Cidr> admin_cidrs;   // who may reach admin ports; empty = client_cidrs
  std::vector<Setting> settings;   // zooCfg for this environment
  Place place;
};

// systemd unit options (zkops provision --systemd).
struct SystemdOptions {
  std::string user;   // "" = root (no User= line)
  std::string group;  // "" = the user's group
  uint64_t limit_nofile = 65536;
  std::string unit_name = "zknode-{cluster}-{id}.service";
  std::string zknode = "{installDir}/bin/zknode";
};

struct Inventory {
  std::string file;     // as given to LoadInventory
  std::string cluster;  // [A-Za-z0-9_-], at most 22 chars (fits an iptables chain name)
  Place cluster_place;
  std::string default_environment;  // "" = none
  std::vector<Setting> settings;    // top-level zooCfg
  std::vector<ServerSpec> servers;  // in file order
  std::vector<Environment> environments;
  SystemdOptions systemd;

  const Environment* FindEnvironment(const std::string& name) const;
  const ServerSpec* FindServer(uint64_t id) const;
};

// Reads and parses an inventory. Errors are InvalidArgument "file:line:col: key: why"
// (YAML syntax errors, unknown keys with a "did you mean", wrong types, missing required
// keys, templates naming an unknown variable). Cross-server consistency (duplicate ids, port
// clashes, resolvable hosts) is not checked here: see check.h, which reports every problem,
// not just the first.
zk::Status LoadInventory(const std::string& path, Inventory* out);
zk::Status ParseInventory(const std::string& text, const std::string& file, Inventory* out);

// The environment called `name`; with name "" the inventory's defaultEnvironment, else the
// only environment there is. Errors list the environments that exist.
zk::Status SelectEnvironment(const Inventory& inv, const std::string& name,
                             const Environment** out);

// One server, everything resolved for the chosen environment.
struct RenderedServer {
  uint64_t id = 0;
  std::string name, host, ssh;
  bool observer = false;
  uint16_t client_port = 0, quorum_port = 0, election_port = 0;
  uint16_t admin_port = 0;  // 0 = AdminServer disabled
  std::string install_dir, conf_dir, data_dir, data_log_dir, log_dir;
  std::string zoo_cfg_path;  // <confDir>/zoo.cfg
  std::string myid_path;     // <dataDir>/myid
  std::string zoo_cfg;       // the file's text
  std::string myid;          // "<id>\n", as `echo N > myid` writes it
  // For each line of zoo_cfg (index = line - 1), where it came from in the inventory, so an
  // error zknode's parser reports at "zoo.cfg:LINE" can point at the YAML.
  std::vector<Place> line_origin;
  const ServerSpec* spec = nullptr;  // into the Inventory, which must outlive this
  bool local() const { return ssh.empty(); }
};

struct RenderedCluster {
  std::string cluster;
  std::string environment;
  std::vector<RenderedServer> servers;  // inventory order
  const Inventory* inventory = nullptr;
  const Environment* env = nullptr;
  const RenderedServer* Find(uint64_t id) const;
};

// Expands templates and renders every server's zoo.cfg and myid. InvalidArgument (with the
// place) for a template that expands to a relative path or names an unknown variable, or a
// zooCfg key the inventory sets elsewhere (dataDir, clientPort, server.N, plugin.*, ...).
// REQUIRES: env belongs to inv; both outlive *out.
zk::Status RenderCluster(const Inventory& inv, const Environment& env, RenderedCluster* out);

// The systemd unit for one server (Type=simple, zknode in the foreground) and its file name.
struct RenderedUnit {
  std::string name;  // "zknode-seed-101.service"
  std::string text;
};
RenderedUnit RenderSystemdUnit(const RenderedCluster& cluster, const RenderedServer& server);

// Expands {id}, {cluster}, {installDir}, {dataDir} in `text`. InvalidArgument naming `place`
// for an unknown or unclosed {...}. Exposed for tests and other commands.
zk::Status ExpandTemplate(const std::string& text, const std::map<std::string, std::string>& vars,
                          const Place& place, std::string* out);

}  // namespace zkops::inventory
