// An in-process ensemble for the raft election plugin: N nodes, each with its own SimHost,
// inproc transport, memory storage (wrapped in SimStorage) and a toy StateMachine, all
// loaded through the plugin loader from ZK_PLUGIN_DIR (nothing from the plugin is linked).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "plugin_loader/plugin_loader.h"
#include "raft_sim.h"
#include "zk/election.h"
#include "zk/storage.h"
#include "zk/transport.h"

extern "C" {
typedef int zk_inproc_partition_fn(const char* group_a, const char* group_b);
typedef int zk_inproc_set_delay_fn(const char* group_a, const char* group_b, int64_t delay_ms);
typedef void zk_inproc_heal_fn();
}

namespace zk::raft_test {

// Plugin libraries, loaded once and never unloaded (they outlive every object they made).
struct Plugins {
  std::unique_ptr<plugin_loader::LoadedPlugin> raft, inproc, tcp, memory, sqlite;

  static Plugins& Get() {
    static Plugins* p = [] {
      auto* p = new Plugins;
      for (auto [kind, name, slot] :
           {std::tuple{"election", "raft", &p->raft}, std::tuple{"transport", "inproc", &p->inproc},
            std::tuple{"storage", "memory", &p->memory}}) {
        Load(kind, name, slot);
      }
      return p;
    }();
    return *p;
  }
  // tcp and sqlite load on first use, so a test binary that needs neither runs without them.
  static void Load(const char* kind, const char* name,
                   std::unique_ptr<plugin_loader::LoadedPlugin>* slot) {
    if (*slot) return;
    Status s = plugin_loader::LoadPlugin(ZK_PLUGIN_DIR, kind, name, slot);
    if (!s.ok()) {
      std::fprintf(stderr, "cannot load %s/%s: %s\n", kind, name, s.ToString().c_str());
      std::abort();
    }
  }
  ElectionFactory* election() { return static_cast<ElectionFactory*>(raft->factory); }
  TransportFactory* transport(bool tcp_transport = false) {
    if (tcp_transport) Load("transport", "tcp", &tcp);
    return static_cast<TransportFactory*>((tcp_transport ? tcp : inproc)->factory);
  }
  StorageFactory* storage(const std::string& name = "memory") {
    if (name == "sqlite") Load("storage", "sqlite", &sqlite);
    return static_cast<StorageFactory*>((name == "sqlite" ? sqlite : memory)->factory);
  }
  int Partition(const std::string& a, const std::string& b) {
    return inproc->library.get_alias<zk_inproc_partition_fn>("zk_inproc_partition")(a.c_str(),
                                                                                    b.c_str());
  }
  void SetDelay(const std::string& a, const std::string& b, int64_t ms) {
    inproc->library.get_alias<zk_inproc_set_delay_fn>("zk_inproc_set_delay")(a.c_str(), b.c_str(),
                                                                             ms);
  }
  void Heal() { inproc->library.get_alias<zk_inproc_heal_fn>("zk_inproc_heal")(); }
};

// Records what the plugin applies; the snapshot is the list itself.
class ToySm final : public StateMachine {
 public:
  struct Entry {
    uint64_t index = 0;
    uint64_t term = 0;
    std::string data;
  };

  void Apply(uint64_t index, uint64_t term, const std::string& data) override {
    if (!applied.empty()) {
      EXPECT_GT(index, applied.back().index) << "applied out of order";
      EXPECT_GE(term, applied.back().term) << "term went backwards at index " << index;
    }
    applied.push_back({index, term, data});
  }
  std::string TakeSnapshot() override {
    ++snapshots_taken;
    std::string out;
    for (const Entry& e : applied) {
      out += std::to_string(e.index) + " " + std::to_string(e.term) + " " +
             std::to_string(e.data.size()) + " " + e.data;
    }
    return out;
  }
  Status Restore(uint64_t index, uint64_t term, const std::string& data) override {
    ++restores;
    restored_index = index;
    restored_term = term;
    applied.clear();
    size_t pos = 0;
    while (pos < data.size()) {
      Entry e;
      size_t len = 0;
      char* end = nullptr;
      e.index = std::strtoull(data.c_str() + pos, &end, 10);
      e.term = std::strtoull(end, &end, 10);
      len = std::strtoull(end, &end, 10);
      pos = static_cast<size_t>(end - data.c_str()) + 1;
      if (pos + len > data.size()) return Status::Corruption("toy snapshot truncated");
      e.data = data.substr(pos, len);
      pos += len;
      applied.push_back(std::move(e));
    }
    return Status::OK();
  }
  void OnRoleChange(Role r, uint64_t leader_id) override {
    role = r;
    leader = leader_id;
    roles.emplace_back(r, leader_id);
  }
  void OnFollowerMessage(uint64_t from_id, const std::string& payload) override {
    follower_messages.emplace_back(from_id, payload);
  }

  std::vector<std::string> Payloads() const {
    std::vector<std::string> out;
    for (const Entry& e : applied) out.push_back(e.data);
    return out;
  }
  bool Has(const std::string& payload) const {
    for (const Entry& e : applied) {
      if (e.data == payload) return true;
    }
    return false;
  }

  std::vector<Entry> applied;
  std::vector<std::pair<Role, uint64_t>> roles;
  std::vector<std::pair<uint64_t, std::string>> follower_messages;
  Role role = Role::kLooking;
  uint64_t leader = 0;
  int snapshots_taken = 0;
  int restores = 0;
  uint64_t restored_index = 0;
  uint64_t restored_term = 0;
};

struct Options {
  int n = 3;
  std::vector<int> observers;  // zoo ids that are observers
  int64_t snap_count = 100000;
  int64_t trailing = -1;    // -1: plugin default
  int64_t election_ms = 0;  // 0: derived (tickTime 2000 -> 200 ms)
  int64_t heartbeat_ms = 0;
  uint64_t seed = 1;
  std::string storage = "memory";  // or "sqlite" (a fresh temp dir per server)
};

// A settled outcome of a proposal.
struct Outcome {
  bool done = false;
  Status status;
};

class Ensemble {
 public:
  struct Node {
    int id = 0;                                   // zoo.cfg id
    std::vector<std::unique_ptr<SimHost>> hosts;  // the current one is last; old ones dead
    std::unique_ptr<SimStorage> storage;
    std::unique_ptr<Transport> transport;
    std::unique_ptr<Election> election;
    std::unique_ptr<ToySm> sm;
    bool up = false;
    std::string dir;  // sqlite only
    SimHost* host() { return hosts.back().get(); }
  };

  explicit Ensemble(Options o) : opts_(o) {
    static int generation = 0;
    base_port_ = static_cast<uint16_t>(30000 + (generation++ % 300) * 100);
    Plugins& p = Plugins::Get();
    (void)p;
    for (int i = 0; i < o.n; ++i) {
      auto node = std::make_unique<Node>();
      node->id = i;
      NewHost(*node);
      if (o.storage == "sqlite") {
        char tmpl[] = "/tmp/zk-raft-test-XXXXXX";
        node->dir = ::mkdtemp(tmpl);
      }
      nodes_.push_back(std::move(node));
      OpenStorage(i);
    }
  }

  ~Ensemble() {
    for (auto& n : nodes_) Kill(n->id);
    Plugins::Get().Heal();
    for (auto& n : nodes_) {
      n->storage.reset();
      if (!n->dir.empty()) std::filesystem::remove_all(n->dir);
    }
  }

  // Replaces node i's storage object by a new one over the same directories (sqlite: what a
  // process restart reads back). REQUIRES: node i is down.
  void ReopenStorage(int i) {
    Node& n = node(i);
    EXPECT_FALSE(n.up);
    sim_.RemoveStorage(n.storage.get());
    n.storage.reset();
    OpenStorage(i);
  }

  Sim& sim() { return sim_; }
  Node& node(int i) { return *nodes_.at(i); }
  int size() const { return static_cast<int>(nodes_.size()); }
  std::string name(int i) const {
    return "n" + std::to_string(i) + "g" + std::to_string(base_port_);
  }

  std::vector<PeerInfo> Peers() const {
    std::vector<PeerInfo> peers;
    for (int i = 0; i < opts_.n; ++i) {
      PeerInfo p;
      p.id = static_cast<uint64_t>(i);
      p.quorum = {"127.0.0.1", static_cast<uint16_t>(base_port_ + 10 * i + 1)};
      p.election = {"127.0.0.1", static_cast<uint16_t>(base_port_ + 10 * i + 2)};
      p.voter =
          std::find(opts_.observers.begin(), opts_.observers.end(), i) == opts_.observers.end();
      peers.push_back(p);
    }
    return peers;
  }

  PluginConfig ElectionConfig() const {
    std::map<std::string, std::string> v{
        {"electionTimeoutMs", std::to_string(opts_.election_ms)},
        {"heartbeatTimeoutMs", std::to_string(opts_.heartbeat_ms)}};
    if (opts_.trailing >= 0) v["snapshotTrailing"] = std::to_string(opts_.trailing);
    return PluginConfig(v);
  }

  // Starts (or restarts) node i: a new host, transport and election, the same storage.
  // The state machine starts empty, as a restarted process would.
  Status Start(int i) {
    Node& n = node(i);
    EXPECT_FALSE(n.up);
    // The first start uses the host the storage was created with; a restart gets a new one.
    if (started_once_[i]) NewHost(n);
    started_once_[i] = true;
    Plugins& p = Plugins::Get();
    Status s;
    n.transport = p.transport()->Create(PluginConfig({{"name", name(i)}}), n.host(), &s);
    if (!s.ok()) return s;
    s = n.transport->Start();
    if (!s.ok()) return s;
    n.election = p.election()->Create(ElectionConfig(), n.host(), &s);
    if (!s.ok()) return s;
    n.sm = std::make_unique<ToySm>();
    ElectionContext ctx;
    ctx.host = n.host();
    ctx.storage = n.storage.get();
    ctx.transport = n.transport.get();
    ctx.state_machine = n.sm.get();
    ctx.my_id = static_cast<uint64_t>(i);
    ctx.peers = Peers();
    ctx.tick_ms = 2000;
    ctx.snap_count = opts_.snap_count;
    ctx.snap_retain_count = 3;
    s = n.election->Start(ctx);
    sim_.WaitStorage();
    n.up = s.ok();
    return s;
  }

  void StartAll() {
    for (int i = 0; i < size(); ++i) {
      Status s = Start(i);
      ASSERT_TRUE(s.ok()) << "server." << i << ": " << s.ToString();
    }
  }

  // Stops node i as a crash would: the election and transport go, the storage stays.
  void Kill(int i) {
    Node& n = node(i);
    if (!n.up && n.election == nullptr) return;
    if (n.election) n.election->Stop();
    if (n.transport) n.transport->Stop();
    sim_.WaitStorage();
    n.host()->dead = true;
    n.election.reset();
    n.transport.reset();
    n.up = false;
  }

  void Pause(int i) { node(i).host()->paused = true; }
  void Resume(int i) { node(i).host()->paused = false; }

  // The one node that reports kLeader, or -1 (none, or more than one).
  int Leader() {
    int leader = -1;
    for (auto& n : nodes_) {
      if (!n->up || n->host()->paused) continue;
      if (n->election->role() == Role::kLeader) {
        if (leader != -1) return -1;
        leader = n->id;
      }
    }
    return leader;
  }
  int CountLeaders() {
    int c = 0;
    for (auto& n : nodes_) {
      if (n->up && n->election->role() == Role::kLeader) ++c;
    }
    return c;
  }

  // Waits until exactly one running node leads and every other running, unpaused node
  // follows it. Returns the leader or -1.
  int AwaitStableLeader(int64_t max_ms = 10000) {
    int leader = -1;
    sim_.RunUntil(
        [&] {
          leader = Leader();
          if (leader < 0) return false;
          for (auto& n : nodes_) {
            if (!n->up || n->host()->paused || n->id == leader) continue;
            const Role r = n->election->role();
            if ((r != Role::kFollower && r != Role::kObserver) ||
                n->election->leader_id() != static_cast<uint64_t>(leader)) {
              return false;
            }
          }
          return true;
        },
        max_ms);
    return Leader();
  }

  std::shared_ptr<Outcome> Propose(int i, const std::string& data) {
    auto out = std::make_shared<Outcome>();
    node(i).election->Propose(data, [out](Status s) {
      EXPECT_FALSE(out->done) << "done called twice";
      out->done = true;
      out->status = s;
    });
    return out;
  }

  // True once every running node in `which` (all if empty) applied `payload`.
  bool AppliedOn(const std::string& payload, std::vector<int> which = {}) {
    if (which.empty()) {
      for (auto& n : nodes_) {
        if (n->up) which.push_back(n->id);
      }
    }
    for (int i : which) {
      if (!node(i).up || !node(i).sm->Has(payload)) return false;
    }
    return true;
  }

  bool AwaitApplied(const std::string& payload, std::vector<int> which = {},
                    int64_t max_ms = 10000) {
    return sim_.RunUntil([&] { return AppliedOn(payload, which); }, max_ms);
  }

  // Proposes `count` payloads "<prefix><k>" through node i and waits until node i applied
  // them all.
  bool ProposeMany(int i, const std::string& prefix, int count, int64_t max_ms = 20000) {
    for (int k = 0; k < count; ++k) Propose(i, prefix + std::to_string(k));
    return AwaitApplied(prefix + std::to_string(count - 1), {i}, max_ms);
  }

  std::string Dump() {
    std::string out;
    for (auto& n : nodes_) {
      out += "--- server." + std::to_string(n->id) + (n->up ? "" : " (down)") + "\n";
      if (n->up) {
        ElectionStats st = n->election->Stats();
        out += std::string("role ") + RoleName(n->election->role()) + " leader " +
               std::to_string(n->election->leader_id()) + " term " + std::to_string(st.term) +
               " last " + std::to_string(st.last_index) + " commit " +
               std::to_string(st.commit_index) + " applied " + std::to_string(st.applied_index) +
               "\n";
      }
      out += n->host()->RecentLog();
    }
    return out;
  }

 private:
  void OpenStorage(int i) {
    Node& n = node(i);
    Status s;
    auto inner = Plugins::Get().storage(opts_.storage)->Create(PluginConfig(), n.host(), &s);
    ASSERT_TRUE(s.ok()) << s.ToString();
    n.storage = std::make_unique<SimStorage>(&sim_, std::move(inner));
    s = n.storage->Open(n.dir, n.dir);
    ASSERT_TRUE(s.ok()) << s.ToString();
    sim_.AddStorage(n.storage.get());
  }

  void NewHost(Node& n) {
    if (!n.hosts.empty()) n.hosts.back()->dead = true;
    n.hosts.push_back(
        std::make_unique<SimHost>(&sim_, "server." + std::to_string(n.id),
                                  opts_.seed * 1000003 + n.id * 7919 + n.hosts.size() * 104729));
    sim_.AddHost(n.hosts.back().get());
  }

  Options opts_;
  Sim sim_;
  uint16_t base_port_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<int, bool> started_once_;
};

}  // namespace zk::raft_test
