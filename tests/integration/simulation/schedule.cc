#include "schedule.h"

#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <utility>

#include "../storage_faults/faulty_storage.h"
#include "history_recorder.h"
#include "sim_worker.h"
#include "state/acl.h"

namespace zk::simulation {
namespace {

using ensemble_test::EnsembleOptions;
using raft_test::Plugins;
using storage_faults::FaultyStorage;

constexpr int kTickMs = 2000;          // zoo_sample.cfg
constexpr int32_t kSessionMs = 4000;   // the shortest a tick of 2 s allows

bool ReadNode(const state::DataTree& tree, const std::string& path,
              proto::GetDataResponse* out) {
  proto::Request req;
  req.header = {1, static_cast<int32_t>(proto::OpCode::kGetData)};
  req.body = proto::PathWatchRequest{path, false};
  proto::ResponseBody body;
  if (tree.Read(req, state::AuthContext{}, "", 0, &body) != proto::ErrorCode::kOk) return false;
  *out = std::get<proto::GetDataResponse>(body);
  return true;
}

std::vector<std::string> Children(const state::DataTree& tree, const std::string& path) {
  proto::Request req;
  req.header = {1, static_cast<int32_t>(proto::OpCode::kGetChildren)};
  req.body = proto::PathWatchRequest{path, false};
  proto::ResponseBody body;
  if (tree.Read(req, state::AuthContext{}, "", 0, &body) != proto::ErrorCode::kOk) return {};
  return std::get<proto::GetChildrenResponse>(body).children;
}

class Schedule {
 public:
  Schedule(uint64_t seed, const ScheduleOptions& options)
      : seed_(seed),
        verbose_(options.verbose),
        wipe_majority_(options.wipe_majority),
        rng_(seed * 0x9e3779b97f4a7c15ULL + 1),
        servers_(Pick(4) == 0 ? 5 : 3),
        disks_(servers_, nullptr),
        e_(EnsembleOptions{.n = servers_,
                           .tick_ms = kTickMs,
                           .seed = seed,
                           .wrap_storage = [this](int i, std::unique_ptr<Storage> inner) {
                             auto disk = std::make_unique<FaultyStorage>(std::move(inner),
                                                                         Name(i) + " disk");
                             disks_[i] = disk.get();
                             return disk;
                           }}) {
    result_.seed = seed;
    result_.servers = servers_;
  }

  ScheduleResult Run() {
    const int64_t t0 = e_.now();
    e_.StartAll();
    if (e_.AwaitStableLeader(10000) < 0) return Fail("no leader at start");
    if (!CreateZnodes()) return Fail("setting up the workload's znodes failed");
    const int n_workers = 3 + Pick(3);
    result_.workers = n_workers;
    for (int p = 0; p < n_workers; ++p) {
      workers_.push_back(std::make_unique<SimWorker>(&e_, &history_, p, rng_(), kSessionMs));
      workers_.back()->Start();
    }
    RunFaults(15000 + Pick(25000));
    if (!HealAndDrain()) return Fail("the ensemble did not heal: " + healing_);
    RecordFinals();
    result_.simulated_ms = e_.now() - t0;
    result_.ops = history_.invocations();
    for (auto& w : workers_) result_.unexpected_errors += w->counts().unexpected;
    Check();
    return std::move(result_);
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  int Between(int lo, int hi) { return lo + Pick(hi - lo + 1); }

  void Note(const std::string& kind, const std::string& what) {
    ++result_.faults[kind];
    const std::string line = "t=" + std::to_string(e_.now()) + " " + what;
    result_.fault_log.push_back(line);
    if (verbose_) std::fprintf(stderr, "seed %llu: %s\n", (unsigned long long)seed_, line.c_str());
  }

  ScheduleResult Fail(const std::string& why) {
    result_.ok = false;
    result_.failure = why + "\n" + e_.Dump();
    result_.history = history_.Text();
    return std::move(result_);
  }

  // The parents, five registers and two multi keys, all "0": the history's init lines.
  bool CreateZnodes() {
    ensemble_test::SimClient* c = e_.NewClient("setup");
    const int leader = e_.Leader();
    if (!e_.ConnectNew(c, leader, kSessionMs)) return false;
    std::vector<std::string> paths = {Workload::kRoot, Workload::kQueue, Workload::kEphemerals};
    for (const std::string& k : Workload::Registers()) paths.push_back(k);
    for (const std::string& k : Workload::MultiKeys()) paths.push_back(k);
    for (const std::string& p : paths) {
      const auto* r = e_.AwaitReply(c, c->Create(p, "0", false));
      if (r == nullptr || r->err() != proto::ErrorCode::kOk) return false;
    }
    const auto* r = e_.AwaitReply(c, c->CloseSession());
    if (r == nullptr) return false;
    for (size_t i = 3; i < paths.size(); ++i) {
      proto::GetDataResponse node;
      if (!ReadNode(e_.zk(leader).tree(), paths[i], &node)) return false;
      history_.Add(JsonLine().Field("phase", "init").Field("key", paths[i]).Field("value", node.data)
                       .Field("version", int64_t{node.stat.version})
                       .Field("zxid", node.stat.mzxid));
    }
    return true;
  }

  // ---- the nemesis ------------------------------------------------------------------------

  void RunFaults(int64_t duration_ms) {
    const int64_t end = e_.now() + duration_ms;
    int64_t next_fault = e_.now() + Between(300, 3000);
    while (e_.now() < end) {
      int64_t until = std::min(end, next_fault);
      if (!undo_.empty()) until = std::min(until, undo_.begin()->first);
      e_.sim().RunFor(std::max<int64_t>(0, until - e_.now()));
      RunDueUndos();
      if (e_.now() >= next_fault && e_.now() < end) {
        Inject();
        next_fault = e_.now() + Between(200, 4000);
      }
    }
  }

  void After(int64_t delay_ms, std::function<void()> fn) {
    undo_.emplace(e_.now() + delay_ms, std::move(fn));
  }
  void RunDueUndos() {
    while (!undo_.empty() && undo_.begin()->first <= e_.now()) {
      auto fn = std::move(undo_.begin()->second);
      undo_.erase(undo_.begin());
      fn();
    }
  }

  std::string Name(int i) { return "server." + std::to_string(i + 1); }
  // "server.1,server.3" (the inproc names differ from one ensemble of the process to the next,
  // so the fault log, which must replay identically, uses these).
  std::string Names(const std::vector<int>& which) {
    std::string out;
    for (int i : which) out += (out.empty() ? "" : ",") + Name(i);
    return out;
  }

  // A running, unpaused server: the leader with probability `leader_pct`, else any; -1 if none.
  int Victim(int leader_pct) {
    const int leader = e_.Leader();
    if (leader >= 0 && Pick(100) < leader_pct) return leader;
    std::vector<int> live;
    for (int i = 0; i < servers_; ++i) {
      if (e_.up(i) && !e_.server(i).host()->paused) live.push_back(i);
    }
    return live.empty() ? -1 : live[Pick(static_cast<int>(live.size()))];
  }

  void Inject() {
    if (wipe_majority_ && Pick(3) == 0) return CrashAll();
    const int roll = Pick(100);
    if (roll < 28) return Kill();
    if (roll < 46) return Pause();
    if (roll < 74) return Partition();
    if (roll < 86) return SlowDisk();
    if (roll < 95) return DiskError();
    return CrashAll();
  }

  void Kill() {
    const int i = Victim(40);
    if (i < 0) return;
    Note("kill", "kill -9 " + Name(i));
    e_.Kill(i);
    After(Between(300, 6000), [this, i] { Restart(i); });
  }
  void Restart(int i) {
    if (e_.up(i)) return;
    Note("restart", "restart " + Name(i));
    Status s = e_.Start(i);
    if (!s.ok()) restart_errors_ += Name(i) + ": " + s.ToString() + "\n";
  }

  void Pause() {
    const int i = Victim(40);
    if (i < 0) return;
    Note("pause", "SIGSTOP " + Name(i));
    ensemble_test::SimHost* h = e_.server(i).host();
    h->paused = true;
    After(Between(100, 9000), [this, i, h] {
      if (e_.server(i).host() != h || !h->paused) return;  // killed meanwhile
      Note("resume", "SIGCONT " + Name(i));
      h->paused = false;
    });
  }

  void Partition() {
    if (partitioned_) return;
    std::vector<int> order(servers_);
    for (int i = 0; i < servers_; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng_);
    const int kind = Pick(servers_ == 5 ? 4 : 2);
    Plugins& p = Plugins::Get();
    if (kind == 0) {  // random halves: a minority of 1..n/2 against the rest
      const int k = Between(1, servers_ / 2);
      std::vector<int> a(order.begin(), order.begin() + k), b(order.begin() + k, order.end());
      p.Partition(e_.Group(a), e_.Group(b));
      Note("partition-halves", "partition " + Names(a) + " | " + Names(b));
    } else if (kind == 1) {  // the leader alone
      const int leader = e_.Leader();
      if (leader < 0) return;
      std::vector<int> rest;
      for (int i = 0; i < servers_; ++i) {
        if (i != leader) rest.push_back(i);
      }
      p.Partition(e_.Group({leader}), e_.Group(rest));
      Note("partition-leader", "isolate the leader " + Name(leader));
    } else if (kind == 2) {  // ring: each server hears its two neighbours only (a majority)
      for (int x = 0; x < servers_; ++x) {
        for (int y = x + 1; y < servers_; ++y) {
          const int d = (y - x + servers_) % servers_;
          if (d != 1 && d != servers_ - 1) p.Partition(e_.name(order[x]), e_.name(order[y]));
        }
      }
      Note("partition-ring", "ring " + Names(order));
    } else {  // bridge: two pairs that only the middle server joins
      std::vector<int> a = {order[0], order[1]}, b = {order[3], order[4]};
      p.Partition(e_.Group(a), e_.Group(b));
      Note("partition-bridge",
           "bridge " + Names(a) + " | " + Name(order[2]) + " | " + Names(b));
    }
    partitioned_ = true;
    After(Between(500, 7000), [this] {
      Plugins::Get().Heal();
      partitioned_ = false;
      Note("heal", "heal the network");
    });
  }

  void SlowDisk() {
    const int i = Pick(servers_);
    const int latency = Between(1, 300);
    Note("slow-disk", "disk of " + Name(i) + " takes " + std::to_string(latency) + " ms");
    e_.server(i).storage->latency_ms = latency;
    After(Between(500, 8000), [this, i] { e_.server(i).storage->latency_ms = 0; });
  }

  // The next 1..3 appends of a running server fail; it must stop serving (and acknowledge
  // nothing it did not persist). Later it is killed and restarted on a healthy disk.
  void DiskError() {
    const int i = Victim(30);
    if (i < 0) return;
    const bool eio = Pick(2) == 0;
    Note("disk-error", std::string(eio ? "EIO" : "ENOSPC") + " on the disk of " + Name(i));
    disks_[i]->FailNth(storage_faults::Op::kAppend, Between(1, 3),
                       eio ? storage_faults::Fault::kEio : storage_faults::Fault::kEnospc);
    After(Between(300, 4000), [this, i] {
      const bool was_up = e_.up(i);
      e_.Kill(i);
      disks_[i]->ClearFaults();
      if (was_up) Restart(i);
    });
  }

  void CrashAll() {
    Note("crash-all", "kill -9 every server");
    for (int i = 0; i < servers_; ++i) e_.Kill(i);
    if (wipe_majority_) {
      std::vector<int> order(servers_);
      for (int i = 0; i < servers_; ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng_);
      for (int k = 0; k <= servers_ / 2; ++k) {
        Note("wipe", "wipe the data dir of " + Name(order[k]));
        e_.Wipe(order[k]);
      }
    }
    const int64_t down = Between(200, 3000);
    for (int i = 0; i < servers_; ++i) {
      After(down + Pick(500), [this, i] { Restart(i); });
    }
  }

  // ---- healing and the final check ---------------------------------------------------------

  bool HealAndDrain() {
    for (auto& [at, fn] : undo_) fn();
    undo_.clear();
    Plugins::Get().Heal();
    partitioned_ = false;
    for (int i = 0; i < servers_; ++i) {
      e_.server(i).storage->latency_ms = 0;
      disks_[i]->ClearFaults();
      if (e_.up(i)) e_.server(i).host()->paused = false;
      Restart(i);
    }
    if (!restart_errors_.empty()) return Healing("restart failed: " + restart_errors_);
    if (e_.AwaitStableLeader(30000) < 0) return Healing("no stable leader 30 s after healing");
    for (auto& w : workers_) w->Drain();
    const bool quiet = e_.Await(
        [this] {
          for (auto& w : workers_) {
            if (!w->Quiet()) return false;
          }
          return true;
        },
        60000);
    if (!quiet) return Healing("a client did not get back to work 60 s after healing");
    // A session its client gave up may still be alive: a re-attach is refused as expired
    // while a close is only proposed (ZooKeeper's closing flag, too), and if that proposal
    // is lost the session ends by expiry on the next leader, one timeout and two ticks later.
    e_.sim().RunFor(kSessionMs + 2 * kTickMs);
    // Every server applied everything, and what was sent (watch events) arrived.
    const bool caught_up = e_.Await(
        [this] {
          for (int i = 1; i < servers_; ++i) {
            if (e_.zk(i).last_zxid() != e_.zk(0).last_zxid()) return false;
          }
          return true;
        },
        20000);
    if (!caught_up) return Healing("the servers did not converge");
    e_.sim().RunFor(500);
    return true;
  }
  bool Healing(const std::string& why) {
    healing_ = why;
    return false;
  }

  void RecordFinals() {
    for (int i = 0; i < servers_; ++i) {
      const state::DataTree& tree = e_.zk(i).tree();
      std::vector<std::string> paths = Workload::Registers();
      for (const std::string& k : Workload::MultiKeys()) paths.push_back(k);
      for (const char* dir : {Workload::kQueue, Workload::kEphemerals}) {
        for (const std::string& child : Children(tree, dir)) paths.push_back(dir + ("/" + child));
      }
      std::string nodes = "{";
      for (const std::string& path : paths) {
        proto::GetDataResponse node;
        if (!ReadNode(tree, path, &node)) continue;
        JsonLine n;
        n.Field("value", node.data).Field("version", int64_t{node.stat.version});
        n.Field("mzxid", node.stat.mzxid);
        if (node.stat.ephemeral_owner != 0) {
          n.Field("ephemeral_owner", zkcheck::Hex(node.stat.ephemeral_owner));
        }
        nodes += (nodes.size() > 1 ? "," : "") + JsonLine::Quoted(path) + ":" + n.Done();
      }
      char digest[32];
      std::snprintf(digest, sizeof(digest), "%016llx",
                    static_cast<unsigned long long>(tree.Digest()));
      history_.Add(JsonLine().Field("phase", "final").Field("server", std::to_string(i + 1))
                       .Field("digest", std::string(digest)).Raw("nodes", nodes + "}"));
    }
  }

  void Check() {
    result_.history = history_.Text();
    zkcheck::History h;
    Status s = history_.Parse(&h);
    if (!s.ok()) {
      result_.failure = "the recorded history does not parse: " + s.ToString();
      return;
    }
    zkcheck::CheckOptions options;
    options.time_limit = std::chrono::milliseconds(20000);
    const zkcheck::Report report = zkcheck::CheckHistory(h, options);
    result_.verdict = report.verdict;
    result_.ok = report.verdict == zkcheck::Verdict::kValid;
    if (!result_.ok) result_.failure = zkcheck::RenderText(report, h);
  }

  const uint64_t seed_;
  const bool verbose_;
  const bool wipe_majority_;
  std::mt19937_64 rng_;
  const int servers_;
  std::vector<FaultyStorage*> disks_;  // owned by the ensemble (its servers' disks)
  ensemble_test::ZkEnsemble e_;
  HistoryRecorder history_;
  std::vector<std::unique_ptr<SimWorker>> workers_;
  std::multimap<int64_t, std::function<void()>> undo_;
  bool partitioned_ = false;
  std::string restart_errors_;
  std::string healing_;
  ScheduleResult result_;
};

}  // namespace

ScheduleResult RunSchedule(uint64_t seed, const ScheduleOptions& options) {
  Schedule schedule(seed, options);
  return schedule.Run();
}

}  // namespace zk::simulation
