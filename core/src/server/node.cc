#include "server/node.h"

#include <algorithm>
#include <random>
#include <sstream>

#include "common/log.h"
#include "server/admin_http.h"

namespace zk::server {

namespace {

template <typename FactoryT>
Status LoadKind(const config::ZooConfig& cfg, const std::string& dir, const std::string& kind,
                const std::string& name, std::unique_ptr<plugin_loader::LoadedPlugin>* lib,
                FactoryT** factory, PluginConfig* pcfg) {
  Status s = plugin_loader::LoadPlugin(dir, kind, name, lib);
  if (!s.ok()) return s;
  *factory = static_cast<FactoryT*>((*lib)->factory);
  return config::ValidatePluginKeys(cfg, kind, name, (*factory)->Keys(), pcfg);
}

}  // namespace

ServerOptions MakeServerOptions(const config::ZooConfig& cfg,
                                const std::vector<const plugin_loader::LoadedPlugin*>& plugins) {
  ServerOptions options;
  options.cfg = cfg;
  options.super_digest = cfg.super_digest;
  options.container_check_interval_ms = cfg.container_check_interval_ms;
  for (const auto* lib : plugins) options.plugins.push_back({lib->kind, lib->name, lib->version});
  return options;
}

ElectionContext MakeElectionContext(const config::ZooConfig& cfg, Host* host, Storage* storage,
                                    Transport* transport, StateMachine* state_machine) {
  ElectionContext ctx;
  ctx.host = host;
  ctx.storage = storage;
  ctx.transport = transport;
  ctx.state_machine = state_machine;
  ctx.my_id = cfg.my_id;
  for (const auto& line : cfg.servers) {
    PeerInfo p;
    p.id = line.id;
    p.quorum = {line.host, line.quorum_port};
    p.election = {line.host, line.election_port};
    p.voter = !line.observer;
    ctx.peers.push_back(p);
  }
  ctx.tick_ms = cfg.tick_time;
  ctx.init_limit = cfg.init_limit;
  ctx.sync_limit = cfg.sync_limit;
  ctx.snap_count = cfg.snap_count;
  ctx.snap_retain_count = cfg.autopurge_snap_retain_count;
  return ctx;
}

Node::~Node() { Stop(); }

Status Node::Create(const config::ZooConfig& cfg, std::unique_ptr<Node>* out, int* exit_code) {
  std::unique_ptr<Node> n(new Node());
  *exit_code = kExitInvalidConfig;
  std::string dir = cfg.plugin_dir.empty() ? plugin_loader::DefaultPluginDir() : cfg.plugin_dir;

  TransportFactory* tf = nullptr;
  StorageFactory* sf = nullptr;
  ElectionFactory* ef = nullptr;
  PluginConfig tcfg, scfg, ecfg;
  Status s = LoadKind(cfg, dir, "transport", cfg.plugin_transport, &n->transport_lib_, &tf, &tcfg);
  if (s.ok()) s = LoadKind(cfg, dir, "storage", cfg.plugin_storage, &n->storage_lib_, &sf, &scfg);
  if (s.ok()) {
    s = LoadKind(cfg, dir, "election", cfg.plugin_election, &n->election_lib_, &ef, &ecfg);
  }
  if (s.ok()) s = config::CheckUnclaimedPluginKeys(cfg);
  if (!s.ok()) return s;
  if (cfg.plugin_storage == "memory" && cfg.distributed() && !scfg.GetBool("allowEnsemble")) {
    return Status::InvalidArgument(
        cfg.file + ": storage plugin 'memory' keeps nothing across a restart and refuses to run "
        "in a multi-server ensemble; set storage.memory.allowEnsemble=true to allow it anyway");
  }

  n->loop_ = std::make_unique<CoreLoop>(std::random_device{}());
  n->transport_ = tf->Create(tcfg, n->loop_.get(), &s);
  if (!s.ok()) return s;
  n->storage_ = sf->Create(scfg, n->loop_.get(), &s);
  if (!s.ok()) return s;
  n->election_ = ef->Create(ecfg, n->loop_.get(), &s);
  if (!s.ok()) return s;

  ServerOptions options = MakeServerOptions(
      cfg, {n->transport_lib_.get(), n->storage_lib_.get(), n->election_lib_.get()});

  *exit_code = kExitDataDir;
  s = n->storage_->Open(cfg.data_dir, cfg.data_log_dir);
  if (!s.ok()) return Status::IoError("Unable to access datadir: " + s.ToString());
  *exit_code = kExitUnexpected;
  s = n->transport_->Start();
  if (!s.ok()) return s;

  n->server_ = std::make_unique<ZkServer>(options, n->loop_.get(), n->transport_.get(),
                                          n->election_.get());
  *exit_code = kExitDataDir;
  s = n->election_->Start(MakeElectionContext(cfg, n->loop_.get(), n->storage_.get(),
                                              n->transport_.get(), n->server_.get()));
  if (!s.ok()) return s;

  *exit_code = kExitBindClientPort;
  s = n->server_->Listen();
  if (!s.ok()) {
    return Status::IoError("Unable to bind the client port " +
                           cfg.client_port_address + ":" + std::to_string(cfg.client_port) +
                           ": " + s.message());
  }
  n->loop_->Post([node = n.get()] { node->server_->StartTimers(); });

  Node* node = n.get();
  n->control_ = std::make_unique<ControlSocket>(
      n->loop_.get(), [node](const std::string& request, ControlSocket::Reply reply) {
        node->HandleControl(request, std::move(reply));
      });
  const std::string control_path = cfg.data_dir + "/" + kControlSocketName;
  if (Status cs = n->control_->Start(control_path); !cs.ok()) {
    // Serving clients matters more; only `zkops server transfer` needs the socket.
    spdlog::warn("No control socket ({}): `zkops server transfer` cannot reach this server",
                 cs.ToString());
    n->control_.reset();
  }

  if (cfg.admin_enable_server) {
    n->admin_ = std::make_unique<AdminServer>(n->server_.get(), n->loop_.get());
    Status as = n->admin_->Start(cfg);
    if (!as.ok()) {
      // ZooKeeper exits in standalone mode; we keep serving clients and say why (a
      // pseudo-cluster on one host otherwise fights over port 8080, operations.md §1.6).
      spdlog::warn("Problem starting AdminServer: {}", as.ToString());
      n->admin_.reset();
    }
  }
  *exit_code = kExitOk;
  *out = std::move(n);
  return Status::OK();
}

void Node::Run() { loop_->Run(); }

uint16_t Node::admin_port() const { return admin_ ? admin_->port() : 0; }

void Node::RunInThread() { loop_->RunInThread(); }

void Node::RequestStop() {
  loop_->Post([this] {
    if (stop_requested_) return;
    stop_requested_ = true;
    auto finish = [this] {
      if (stopped_) return;
      Shutdown();
      loop_->Stop();
    };
    if (server_->role() != Role::kLeader) {
      finish();
      return;
    }
    // A planned stop of the leader hands leadership away first, so the ensemble does not
    // wait an election timeout and no write fails (issue 3). Bounded: stop anyway after a
    // few seconds.
    spdlog::info("Leader stopping: handing leadership to another server first");
    loop_->StartTimer(kTransferTimeoutMs, finish);
    election_->TransferLeadership(Election::kAnyServer, [this, finish](Status s) {
      spdlog::info("Leadership transfer: {}", s.ToString());
      if (s.ok()) {
        loop_->StartTimer(kHandoffLingerMs, finish);
      } else {
        finish();
      }
    });
  });
}

void Node::HandleControl(const std::string& request, ControlSocket::Reply reply) {
  const std::string me = "server." + std::to_string(server_->options().cfg.my_id);
  std::string verb, target;
  std::istringstream in(request);
  in >> verb >> target;
  if (verb != "transfer" || target.empty()) {
    reply("ERROR unknown request '" + request + "' (known: transfer <id>|any)");
    return;
  }
  uint64_t to = Election::kAnyServer;
  if (target != "any") {
    const auto& servers = server_->options().cfg.servers;
    auto it = std::find_if(servers.begin(), servers.end(),
                           [&](const auto& line) { return std::to_string(line.id) == target; });
    if (it == servers.end()) {
      reply("ERROR no server." + target + " in this ensemble");
      return;
    }
    to = it->id;
  }
  if (stop_requested_) {
    reply("ERROR " + me + " is stopping");
    return;
  }
  if (server_->role() != Role::kLeader) {
    const uint64_t leader = election_->leader_id();
    const bool known = election_->role() == Role::kFollower || election_->role() == Role::kObserver;
    reply("ERROR " + me + " is not the leader" +
          (known ? "; server." + std::to_string(leader) + " leads: ask it" : "; no leader now"));
    return;
  }
  if (to == server_->options().cfg.my_id) {
    reply("OK " + me + " already leads");
    return;
  }
  spdlog::info("Handing leadership to {} (asked on the control socket)",
               to == Election::kAnyServer ? "any up-to-date server" : "server." + target);
  election_->TransferLeadership(to, [this, reply](Status s) {
    if (!s.ok()) {
      reply("ERROR " + s.ToString());
      return;
    }
    reply("OK server." + std::to_string(election_->leader_id()) + " leads");
  });
}

void Node::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  if (control_) control_->Stop();
  // Create may have failed before making them (e.g. storage Open refused the data dir).
  if (server_) server_->Shutdown();
  if (election_) election_->Stop();
}

void Node::Stop() {
  if (!loop_) return;
  if (!stopped_) {
    if (loop_->running_in_thread()) {
      RequestStop();
      loop_->Join();
    } else {
      Shutdown();
    }
  }
  loop_->Stop();
  // The loop no longer runs: stop the threads that could still call into it.
  if (transport_) transport_->Stop();
  if (storage_) storage_->Close();
  if (admin_) admin_->Stop();
  admin_.reset();
  control_.reset();
  server_.reset();
  election_.reset();
  storage_.reset();
  transport_.reset();
  loop_.reset();
}

}  // namespace zk::server
