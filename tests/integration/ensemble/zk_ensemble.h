// N real ZkServers (DataTree, sessions, watches, the request pipeline) replicated by the raft
// election plugin over the inproc transport and memory storage, on the deterministic
// simulation of tests/integration/raft/raft_sim.h: one fake clock, one SimHost per server as
// its core loop, plugins loaded from ZK_PLUGIN_DIR. Each server is wired as Node::Create
// wires zknode (ServerOptions from a ZooConfig, plugin keys checked against the plugins'
// KeySpecs, the same start order), only with a SimHost instead of a CoreLoop. The same seed
// gives the same run.
//
// Core's spdlog lines go to the log of the server whose loop is running (SimHost::Running),
// next to the plugin's Host::Log lines; Dump() prints them, ZK_RAFT_TEST_VERBOSE=1 streams
// them.
//
// Threads: the test thread steps the simulation and makes every call below.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "../raft/ensemble.h"
#include "config/zoo_cfg.h"
#include "server/node.h"
#include "server/server.h"
#include "sim_client.h"
#include "zk/election.h"
#include "zk/storage.h"
#include "zk/transport.h"

namespace zk::ensemble_test {

using raft_test::SimStorage;

// Routes spdlog (core's logger) into the SimHost whose posted function or timer is running,
// or into `fallback` outside the simulation's steps.
class SimLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit SimLogSink(SimHost* fallback) : fallback_(fallback) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    SimHost* h = SimHost::Running();
    if (h == nullptr) h = fallback_;
    LogLevel level = LogLevel::kInfo;
    if (msg.level <= spdlog::level::debug) level = LogLevel::kDebug;
    if (msg.level == spdlog::level::warn) level = LogLevel::kWarn;
    if (msg.level >= spdlog::level::err) level = LogLevel::kError;
    h->Log(level, "core: " + std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  SimHost* const fallback_;
};

// The seeds every test runs: 1..10, or ZK_ENSEMBLE_SEEDS="first-last" (a longer soak).
inline std::vector<uint64_t> Seeds() {
  uint64_t first = 1, last = 10;
  if (const char* env = std::getenv("ZK_ENSEMBLE_SEEDS")) {
    if (std::sscanf(env, "%llu-%llu", reinterpret_cast<unsigned long long*>(&first),
                    reinterpret_cast<unsigned long long*>(&last)) != 2) {
      first = last = std::strtoull(env, nullptr, 10);
    }
  }
  std::vector<uint64_t> out;
  for (uint64_t s = first; s <= last; ++s) out.push_back(s);
  return out;
}

struct EnsembleOptions {
  int n = 3;
  int tick_ms = 2000;  // zoo_sample.cfg; sessions may then last 4 s .. 40 s
  uint64_t seed = 1;
  int64_t election_ms = 0;  // election.raft.electionTimeoutMs; 0: derived (200 ms)
  // Optional: wraps server `index`'s storage plugin (e.g. in storage_faults::FaultyStorage)
  // before SimStorage does; the result is that server's disk for the ensemble's life.
  std::function<std::unique_ptr<Storage>(int index, std::unique_ptr<Storage> inner)>
      wrap_storage = nullptr;
};

class ZkEnsemble {
 public:
  struct Server {
    int index = 0;    // 0..n-1
    uint64_t id = 0;  // zoo.cfg server.<id> (index + 1)
    std::vector<std::unique_ptr<SimHost>> hosts;  // the current one is last; old ones dead
    std::unique_ptr<SimStorage> storage;          // kept across Kill/Start (a disk)
    std::unique_ptr<Transport> transport;
    std::unique_ptr<Election> election;
    std::unique_ptr<server::ZkServer> zk;
    bool up = false;
    bool started_once = false;
    SimHost* host() { return hosts.back().get(); }
  };

  explicit ZkEnsemble(EnsembleOptions o)
      : opts_(o), log_host_(&sim_, "test", o.seed) {
    static int generation = 0;
    // Fake ports below the inproc allocator's range (20000+), fresh for every ensemble of
    // the process so a stopped one never shadows a new one.
    base_port_ = static_cast<uint16_t>(10000 + (generation++ % 400) * 20);
    Plugins::Get();
    old_logger_ = spdlog::default_logger();
    auto logger =
        std::make_shared<spdlog::logger>("sim", std::make_shared<SimLogSink>(&log_host_));
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
    for (int i = 0; i < o.n; ++i) {
      auto s = std::make_unique<Server>();
      s->index = i;
      s->id = static_cast<uint64_t>(i + 1);
      NewHost(*s);
      servers_.push_back(std::move(s));
      OpenStorage(i);
    }
  }

  ~ZkEnsemble() {
    for (auto& s : servers_) Kill(s->index);
    clients_.clear();
    Plugins::Get().Heal();
    for (auto& s : servers_) s->storage.reset();
    spdlog::set_default_logger(old_logger_);
  }

  ZkEnsemble(const ZkEnsemble&) = delete;
  ZkEnsemble& operator=(const ZkEnsemble&) = delete;

  Sim& sim() { return sim_; }
  int64_t now() const { return sim_.now(); }
  int size() const { return static_cast<int>(servers_.size()); }
  Server& server(int i) { return *servers_.at(i); }
  server::ZkServer& zk(int i) { return *server(i).zk; }
  bool up(int i) { return server(i).up; }
  int tick_ms() const { return opts_.tick_ms; }

  // transport.inproc.name of server i: what partition groups name.
  std::string name(int i) const {
    return "zs" + std::to_string(i + 1) + "p" + std::to_string(base_port_);
  }
  std::string Group(const std::vector<int>& which) const {
    std::string out;
    for (int i : which) out += (out.empty() ? "" : ",") + name(i);
    return out;
  }
  uint16_t client_port(int i) const { return static_cast<uint16_t>(base_port_ + 15 + i); }

  // zoo.cfg of server i, as LoadZooConfig would resolve it.
  config::ZooConfig Config(int i) const {
    config::ZooConfig cfg;
    cfg.file = "zoo.cfg (simulated server." + std::to_string(i + 1) + ")";
    cfg.tick_time = opts_.tick_ms;
    cfg.init_limit = 10;
    cfg.sync_limit = 5;
    cfg.data_dir = "/nonexistent/sim/" + std::to_string(i + 1);  // memory storage
    cfg.data_log_dir = cfg.data_dir;
    cfg.client_port = client_port(i);
    cfg.min_session_timeout = 2 * opts_.tick_ms;
    cfg.max_session_timeout = 20 * opts_.tick_ms;
    cfg.admin_enable_server = false;
    for (int k = 0; k < opts_.n; ++k) {
      config::ServerLine line;
      line.id = static_cast<uint64_t>(k + 1);
      line.host = "127.0.0.1";
      line.quorum_port = static_cast<uint16_t>(base_port_ + 2 * k + 1);
      line.election_port = static_cast<uint16_t>(base_port_ + 2 * k + 2);
      line.client_port = client_port(k);
      cfg.servers.push_back(line);
    }
    cfg.my_id = static_cast<uint64_t>(i + 1);
    cfg.has_my_id = true;
    cfg.plugin_transport = "inproc";
    cfg.plugin_storage = "memory";
    cfg.plugin_election = "raft";
    auto key = [&cfg](const std::string& k, const std::string& v) {
      cfg.plugin_keys[k] = config::Property{k, v, 0};
    };
    key("transport.inproc.name", name(i));
    key("storage.memory.allowEnsemble", "true");
    if (opts_.election_ms > 0) {
      key("election.raft.electionTimeoutMs", std::to_string(opts_.election_ms));
    }
    return cfg;
  }

  // Starts (or restarts) server i as Node::Create does: a new host, transport, election and
  // ZkServer over the same storage. The server's state comes back from storage only.
  Status Start(int i) {
    Server& n = server(i);
    EXPECT_FALSE(n.up);
    if (n.started_once) NewHost(n);
    n.started_once = true;
    const config::ZooConfig cfg = Config(i);
    Plugins& p = Plugins::Get();
    PluginConfig tcfg, scfg, ecfg;
    Status s = config::ValidatePluginKeys(cfg, "transport", "inproc", p.transport()->Keys(),
                                          &tcfg);
    if (s.ok()) {
      s = config::ValidatePluginKeys(cfg, "storage", "memory", p.storage()->Keys(), &scfg);
    }
    if (s.ok()) {
      s = config::ValidatePluginKeys(cfg, "election", "raft", p.election()->Keys(), &ecfg);
    }
    if (s.ok()) s = config::CheckUnclaimedPluginKeys(cfg);
    if (!s.ok()) return s;
    n.transport = p.transport()->Create(tcfg, n.host(), &s);
    if (!s.ok()) return s;
    n.election = p.election()->Create(ecfg, n.host(), &s);
    if (!s.ok()) return s;

    server::ServerOptions options =
        server::MakeServerOptions(cfg, {p.inproc.get(), p.memory.get(), p.raft.get()});
    s = n.transport->Start();
    if (!s.ok()) return s;
    n.zk = std::make_unique<server::ZkServer>(options, n.host(), n.transport.get(),
                                              n.election.get());
    s = n.election->Start(server::MakeElectionContext(cfg, n.host(), n.storage.get(),
                                                      n.transport.get(), n.zk.get()));
    sim_.WaitStorage();
    if (!s.ok()) return s;
    s = n.zk->Listen();
    if (!s.ok()) return s;
    EXPECT_EQ(n.zk->client_port(), client_port(i));
    server::ZkServer* zk = n.zk.get();
    n.host()->Post([zk] { zk->StartTimers(); });
    n.up = true;
    return Status::OK();
  }

  void StartAll() {
    for (int i = 0; i < size(); ++i) {
      Status s = Start(i);
      ASSERT_TRUE(s.ok()) << "server." << i + 1 << ": " << s.ToString();
    }
  }

  // Stops server i as a crash would: nothing is shut down in order; the election and the
  // transport stop (inproc peers see their links end), its loop never runs again. The
  // storage stays (a restart reads it back).
  void Kill(int i) {
    Server& n = server(i);
    if (!n.election && !n.transport) return;
    if (n.election) n.election->Stop();
    if (n.transport) n.transport->Stop();
    sim_.WaitStorage();
    n.host()->dead = true;
    n.up = false;
    n.zk.reset();
    n.election.reset();
    n.transport.reset();
  }

  // Server i loses its disk (a wiped data dir): the next Start finds nothing. REQUIRES: it is
  // down.
  void Wipe(int i) {
    Server& n = server(i);
    EXPECT_FALSE(n.up);
    sim_.RemoveStorage(n.storage.get());
    n.storage.reset();
    OpenStorage(i);
  }

  // Server i's process hangs (its loop is no longer stepped; its links stay up, so peers
  // notice only by timeouts). Kill it later to make it a crash.
  void Freeze(int i) { server(i).host()->paused = true; }

  // The one running server whose ZkServer leads, or -1 (none, or more than one).
  int Leader() {
    int leader = -1;
    for (auto& s : servers_) {
      if (!s->up || s->host()->paused || s->zk->role() != Role::kLeader) continue;
      if (leader != -1) return -1;
      leader = s->index;
    }
    return leader;
  }

  // Waits until one running server leads and every other running server follows it, as
  // its ZkServer sees it (so they all serve). Returns the leader or -1.
  int AwaitStableLeader(int64_t max_ms = 10000) {
    sim_.RunUntil([this] { return Stable(); }, max_ms);
    return Stable() ? Leader() : -1;
  }
  bool Stable() {
    const int leader = Leader();
    if (leader < 0) return false;
    for (auto& s : servers_) {
      if (!s->up || s->host()->paused || s->index == leader) continue;
      if (s->zk->role() != Role::kFollower ||
          s->election->leader_id() != static_cast<uint64_t>(leader + 1)) {
        return false;
      }
    }
    return true;
  }

  // Clients live as long as the ensemble (the simulation holds their hosts).
  SimClient* NewClient(const std::string& name) {
    clients_.push_back(std::make_unique<SimClient>(
        &sim_, name, opts_.seed * 7777 + clients_.size() * 31 + 5));
    return clients_.back().get();
  }

  bool Await(const std::function<bool()>& pred, int64_t max_ms) {
    return sim_.RunUntil(pred, max_ms);
  }
  // Runs until `c` has the answer to `xid`; returns it (nullptr on timeout).
  const SimClient::Reply* AwaitReply(SimClient* c, int32_t xid, int64_t max_ms = 5000) {
    sim_.RunUntil([&] { return c->reply(xid) != nullptr; }, max_ms);
    return c->reply(xid);
  }
  // Connects `c` to server i with a new session and waits for the handshake.
  bool ConnectNew(SimClient* c, int i, int32_t timeout_ms, int64_t max_ms = 5000) {
    c->Connect(client_port(i), timeout_ms);
    return Await([c] { return c->connected() || !c->connection_open(); }, max_ms) &&
           c->connected();
  }
  // Re-attaches `c`'s session at server i and waits for the handshake's outcome: true once
  // the server took the session back, false if it refused or closed the connection.
  bool Reattach(SimClient* c, int i, int64_t max_ms = 5000) {
    c->Reattach(client_port(i));
    Await([c] { return c->handshake().has_value() || !c->connection_open(); }, max_ms);
    return c->connected();
  }

  // Every running server (or those in `which`) has / lacks `path` in its DataTree.
  bool ExistsEverywhere(const std::string& path, std::vector<int> which = {}) {
    if (which.empty()) which = Running();
    for (int i : which) {
      if (!up(i) || !zk(i).tree().Exists(path)) return false;
    }
    return true;
  }
  bool GoneEverywhere(const std::string& path, std::vector<int> which = {}) {
    if (which.empty()) which = Running();
    for (int i : which) {
      if (!up(i) || zk(i).tree().Exists(path)) return false;
    }
    return true;
  }
  bool SessionKnownAnywhere(int64_t session_id) {
    for (int i : Running()) {
      if (zk(i).sessions().Find(session_id) != nullptr) return true;
    }
    return false;
  }
  std::vector<int> Running() {
    std::vector<int> out;
    for (auto& s : servers_) {
      if (s->up) out.push_back(s->index);
    }
    return out;
  }

  std::string Dump() {
    std::string out = "seed " + std::to_string(opts_.seed) + ", now " +
                      std::to_string(sim_.now()) + "\n";
    for (auto& s : servers_) {
      out += "--- server." + std::to_string(s->id) + (s->up ? "" : " (down)") + "\n";
      if (s->up) {
        const ElectionStats st = s->election->Stats();
        char zxid[32];
        std::snprintf(zxid, sizeof(zxid), "0x%llx",
                      static_cast<unsigned long long>(s->zk->last_zxid()));
        out += std::string("zk role ") + RoleName(s->zk->role()) + ", raft role " +
               RoleName(s->election->role()) + " leader " +
               std::to_string(s->election->leader_id()) + " term " + std::to_string(st.term) +
               " commit " + std::to_string(st.commit_index) + " applied " +
               std::to_string(st.applied_index) + " zxid " + zxid + " sessions " +
               std::to_string(s->zk->sessions().size()) + " ephemerals " +
               std::to_string(s->zk->tree().ephemeral_count()) + "\n";
      }
      out += s->host()->RecentLog();
    }
    for (auto& c : clients_) out += "--- " + c->host()->name() + "\n" + c->host()->RecentLog();
    out += "--- test\n" + log_host_.RecentLog();
    return out;
  }

 private:
  void OpenStorage(int i) {
    Server& n = server(i);
    Status s;
    auto inner = Plugins::Get().storage()->Create(
        PluginConfig(std::map<std::string, std::string>{{"allowEnsemble", "true"}}), n.host(), &s);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (opts_.wrap_storage) inner = opts_.wrap_storage(i, std::move(inner));
    n.storage = std::make_unique<SimStorage>(&sim_, std::move(inner));
    s = n.storage->Open("", "");
    ASSERT_TRUE(s.ok()) << s.ToString();
    sim_.AddStorage(n.storage.get());
  }

  void NewHost(Server& n) {
    if (!n.hosts.empty()) n.hosts.back()->dead = true;
    n.hosts.push_back(std::make_unique<SimHost>(
        &sim_, "server." + std::to_string(n.id),
        opts_.seed * 1000003 + n.id * 7919 + n.hosts.size() * 104729));
    sim_.AddHost(n.hosts.back().get());
  }

  EnsembleOptions opts_;
  Sim sim_;
  SimHost log_host_;  // log lines written outside any server's step; never stepped
  uint16_t base_port_ = 0;
  std::shared_ptr<spdlog::logger> old_logger_;
  std::vector<std::unique_ptr<Server>> servers_;
  std::vector<std::unique_ptr<SimClient>> clients_;
};

}  // namespace zk::ensemble_test
