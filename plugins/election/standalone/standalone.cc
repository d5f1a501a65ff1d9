// Election plugin `standalone`: ZooKeeper's standalone mode. One server, no peers: a proposal
// is appended to the log through the Storage plugin and applied once it is durable.
//
// Group commit: while one append is in flight, new proposals gather in the next batch, which
// goes to storage as one Append as soon as the previous one is durable.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "zk/election.h"
#include "zk/plugin.h"

namespace {

using zk::Status;

class StandaloneElection : public zk::Election {
 public:
  explicit StandaloneElection(zk::Host* host) : host_(host) {}
  ~StandaloneElection() override { *alive_ = false; }

  Status Start(const zk::ElectionContext& ctx) override {
    ctx_ = ctx;
    if (!ctx.peers.empty() && ctx.peers.size() > 1) {
      return Status::InvalidArgument(
          "election plugin 'standalone' runs one server; this config has " +
          std::to_string(ctx.peers.size()) + " server lines (use plugin.election=raft)");
    }
    zk::PersistentState ps;
    Status s = ctx.storage->Load(&ps);
    if (!s.ok()) return s;
    for (const auto& w : ps.warnings) host_->Log(zk::LogLevel::kWarn, w);
    uint64_t applied = 0;
    if (ps.snapshot) {
      s = ctx.state_machine->Restore(ps.snapshot->meta.index, ps.snapshot->meta.term,
                                     ps.snapshot->data);
      if (!s.ok()) return s;
      applied = ps.snapshot->meta.index;
    }
    for (const auto& e : ps.entries) {
      if (e.index <= applied) continue;
      if (e.index != applied + 1) {
        return Status::Corruption("log gap: entry " + std::to_string(e.index) + " follows " +
                                  std::to_string(applied));
      }
      ctx.state_machine->Apply(e.index, e.term, e.data);
      applied = e.index;
    }
    last_index_ = applied;
    host_->Log(zk::LogLevel::kInfo, "standalone: recovered " + std::to_string(applied) +
                                        " log entries" +
                                        (ps.snapshot ? " (from a snapshot at index " +
                                                           std::to_string(ps.snapshot->meta.index) + ")"
                                                     : ""));
    if (ps.term == 0) ctx.storage->SetTermVote(kTerm, ctx.my_id, [](Status) {});
    role_ = zk::Role::kStandalone;
    ctx.state_machine->OnRoleChange(role_, ctx.my_id);
    return Status::OK();
  }

  void Propose(std::string data, ProposeDone done) override {
    if (role_ != zk::Role::kStandalone) {
      if (done) done(Status::Unavailable("not serving"));
      return;
    }
    zk::LogEntry e;
    e.index = ++last_index_;
    e.term = kTerm;
    e.data = std::move(data);
    next_.push_back(std::move(e));
    next_done_.push_back(std::move(done));
    if (!in_flight_) Flush();
  }

  void TransferLeadership(uint64_t, ProposeDone done) override {
    if (done) done(Status::NotSupported("a standalone server has no one to hand leadership to"));
  }

  void Stop() override {
    if (role_ == zk::Role::kLooking && stopped_) return;
    stopped_ = true;
    role_ = zk::Role::kLooking;
    for (auto& d : next_done_) {
      if (d) d(Status::Aborted("server stopping"));
    }
    next_.clear();
    next_done_.clear();
  }

  zk::Role role() const override { return role_; }
  uint64_t leader_id() const override {
    return role_ == zk::Role::kStandalone ? ctx_.my_id : 0;
  }
  zk::ElectionStats Stats() const override {
    zk::ElectionStats s;
    s.last_index = last_index_;
    s.commit_index = applied_;
    s.applied_index = applied_;
    s.term = kTerm;
    s.leader_id = leader_id();
    return s;
  }

 private:
  static constexpr uint64_t kTerm = 1;

  void Flush() {
    in_flight_ = true;
    auto batch = std::make_shared<std::vector<zk::LogEntry>>(std::move(next_));
    auto dones = std::make_shared<std::vector<ProposeDone>>(std::move(next_done_));
    next_.clear();
    next_done_.clear();
    std::weak_ptr<bool> alive = alive_;
    ctx_.storage->Append(*batch, [this, alive, batch, dones](Status s) {
      host_->Post([this, alive, batch, dones, s] {
        if (alive.expired() || stopped_) return;
        OnDurable(s, *batch, *dones);
      });
    });
  }

  void OnDurable(const Status& s, std::vector<zk::LogEntry>& batch,
                 std::vector<ProposeDone>& dones) {
    in_flight_ = false;
    if (!s.ok()) {
      // Nothing that could not be persisted is applied or acknowledged: stop serving.
      host_->Log(zk::LogLevel::kError, "log append failed, no longer serving: " + s.ToString());
      for (auto& d : dones) {
        if (d) d(s);
      }
      role_ = zk::Role::kLooking;
      ctx_.state_machine->OnRoleChange(role_, 0);
      Stop();
      return;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      ctx_.state_machine->Apply(batch[i].index, batch[i].term, batch[i].data);
      applied_ = batch[i].index;
      if (dones[i]) dones[i](Status::OK());
    }
    since_snapshot_ += batch.size();
    MaybeSnapshot();
    if (!next_.empty()) Flush();
  }

  void MaybeSnapshot() {
    if (snapshot_in_flight_ || static_cast<int64_t>(since_snapshot_) < ctx_.snap_count) return;
    since_snapshot_ = 0;
    snapshot_in_flight_ = true;
    const uint64_t index = applied_;
    const int64_t started = host_->NowMs();
    std::weak_ptr<bool> alive = alive_;
    // The state machine captures its state now and serializes it off the core loop.
    ctx_.state_machine->TakeSnapshotAsync([this, alive, index, started](std::string data) {
      if (alive.expired() || stopped_) return;
      if (data.empty()) {
        snapshot_in_flight_ = false;
        host_->Log(zk::LogLevel::kError, "snapshot at index " + std::to_string(index) +
                                             ": serializing the state failed");
        return;
      }
      SaveSnapshot(index, std::move(data), host_->NowMs() - started);
    });
  }

  void SaveSnapshot(uint64_t index, std::string data, int64_t serialized_ms) {
    zk::Snapshot snap;
    snap.meta.index = index;
    snap.meta.term = kTerm;
    snap.data = std::move(data);
    const size_t bytes = snap.data.size();
    std::weak_ptr<bool> alive = alive_;
    ctx_.storage->SaveSnapshot(std::move(snap), ctx_.snap_retain_count, 0,
                               [this, alive, index, bytes, serialized_ms](Status s) {
                                 host_->Post([this, alive, index, bytes, serialized_ms, s] {
                                   if (alive.expired()) return;
                                   snapshot_in_flight_ = false;
                                   host_->Log(s.ok() ? zk::LogLevel::kInfo : zk::LogLevel::kError,
                                              "snapshot at index " + std::to_string(index) +
                                                  " (" + std::to_string(bytes) +
                                                  " bytes, serialized in " +
                                                  std::to_string(serialized_ms) +
                                                  " ms): " + s.ToString());
                                 });
                               });
  }

  zk::Host* host_;
  zk::ElectionContext ctx_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  zk::Role role_ = zk::Role::kLooking;
  bool stopped_ = false;
  bool in_flight_ = false;
  bool snapshot_in_flight_ = false;
  uint64_t last_index_ = 0;
  uint64_t applied_ = 0;
  uint64_t since_snapshot_ = 0;
  std::vector<zk::LogEntry> next_;
  std::vector<ProposeDone> next_done_;
};

class StandaloneFactory : public zk::ElectionFactory {
 public:
  std::vector<zk::KeySpec> Keys() const override { return {}; }
  std::unique_ptr<zk::Election> Create(const zk::PluginConfig&, zk::Host* host,
                                       Status* status) override {
    *status = Status::OK();
    return std::make_unique<StandaloneElection>(host);
  }
};

}  // namespace

ZK_DEFINE_PLUGIN("election", "standalone", "0.1.0", StandaloneFactory)
