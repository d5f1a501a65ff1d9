// A deterministic simulation for in-process raft ensembles: one manual clock, one fake Host
// per node (posted work and timers run only when the test steps the simulation), and a
// Storage wrapper that waits for the storage thread, so the same test runs the same way
// every time (NuRaft's fake_network/fake_timer habit, canonical/raft's raft_fixture).
//
// Scheduling: every runnable posted function runs before the clock moves (node by node,
// one function per node per round); then the clock jumps to the earliest timer or delayed
// storage completion. After each function the simulation waits until every storage thread
// is idle, so storage completions are posted before the next step.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "zk/host.h"
#include "zk/storage.h"

namespace zk::raft_test {

inline bool Verbose() { return std::getenv("ZK_RAFT_TEST_VERBOSE") != nullptr; }

class Sim;

class SimHost final : public Host {
 public:
  SimHost(Sim* sim, std::string name, uint64_t seed)
      : sim_(sim), name_(std::move(name)), rng_(seed) {}

  int64_t NowMs() override;
  int64_t WallMs() override { return 1'700'000'000'000 + NowMs(); }
  uint64_t Random() override {
    std::lock_guard<std::mutex> lock(mu_);
    return rng_();
  }
  void Post(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    posted_.push_back(std::move(fn));
  }
  TimerId StartTimer(int64_t delay_ms, std::function<void()> fn) override;
  void CancelTimer(TimerId id) override {
    auto it = timer_at_.find(id);
    if (it == timer_at_.end()) return;
    timers_.erase({it->second, id});
    timer_at_.erase(it);
  }
  void Log(LogLevel level, std::string_view message) override {
    std::string line = "[" + std::to_string(NowMs()) + " " + name_ + "] " + std::string(message);
    if (Verbose()) std::fprintf(stderr, "%s\n", line.c_str());
    std::lock_guard<std::mutex> lock(mu_);
    if (level >= LogLevel::kWarn) warnings_.push_back(line);
    logs_.push_back(std::move(line));
    if (logs_.size() > 400) logs_.pop_front();
  }

  // Simulation side.
  bool RunOnePosted() {
    std::function<void()> fn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (posted_.empty()) return false;
      fn = std::move(posted_.front());
      posted_.pop_front();
    }
    SimHost* const outer = running_;
    running_ = this;
    fn();
    running_ = outer;
    return true;
  }
  bool HasPosted() {
    std::lock_guard<std::mutex> lock(mu_);
    return !posted_.empty();
  }
  // Earliest timer as {deadline, id}; {INT64_MAX, 0} if none.
  std::pair<int64_t, TimerId> NextTimer() const {
    return timers_.empty() ? std::pair<int64_t, TimerId>{INT64_MAX, 0} : timers_.begin()->first;
  }
  void RunTimer(TimerId id) {
    auto it = timer_at_.find(id);
    if (it == timer_at_.end()) return;
    auto node = timers_.extract({it->second, id});
    timer_at_.erase(it);
    SimHost* const outer = running_;
    running_ = this;
    node.mapped()();
    running_ = outer;
  }
  // The host whose posted function or timer runs on this thread now (nullptr outside one),
  // so process-wide log lines (core's spdlog) can be put in the right node's log.
  static SimHost* Running() { return running_; }
  std::vector<std::string> Warnings() {
    std::lock_guard<std::mutex> lock(mu_);
    return warnings_;
  }
  std::string RecentLog() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (const auto& l : logs_) out += l + "\n";
    return out;
  }
  const std::string& name() const { return name_; }

  bool paused = false;  // not stepped (a stalled process)
  bool dead = false;    // never stepped again (a killed process)

 private:
  Sim* const sim_;
  const std::string name_;
  std::mutex mu_;
  std::mt19937_64 rng_;
  std::deque<std::function<void()>> posted_;
  std::map<std::pair<int64_t, TimerId>, std::function<void()>> timers_;
  std::map<TimerId, int64_t> timer_at_;
  TimerId next_timer_ = 1;
  std::deque<std::string> logs_;
  std::vector<std::string> warnings_;
  static inline thread_local SimHost* running_ = nullptr;
};

// Wraps a Storage: counts operations in flight (the simulation waits for them) and can
// hold the completions of Append/Truncate/SaveSnapshot for `latency_ms` of simulated time
// (a slow disk). SetTermVote is never held: the raft plugin blocks on it.
class SimStorage final : public Storage {
 public:
  SimStorage(Sim* sim, std::unique_ptr<Storage> inner) : sim_(sim), inner_(std::move(inner)) {}
  ~SimStorage() override { inner_->Close(); }

  Status Open(const std::string& a, const std::string& b) override { return inner_->Open(a, b); }
  Status Load(PersistentState* out) override { return inner_->Load(out); }
  void Close() override { inner_->Close(); }
  void SetTermVote(uint64_t term, uint64_t voted_for, Done done) override {
    ++term_votes;
    inner_->SetTermVote(term, voted_for, Wrap(std::move(done), false));
  }
  void Append(std::vector<LogEntry> entries, Done done) override {
    appended += entries.size();
    inner_->Append(std::move(entries), Wrap(std::move(done), true));
  }
  void Truncate(uint64_t from_index, Done done) override {
    inner_->Truncate(from_index, Wrap(std::move(done), true));
  }
  void SaveSnapshot(Snapshot snapshot, int retain, uint64_t trailing, Done done) override {
    ++snapshots_saved;
    if (trailing == 0) ++snapshots_installed;
    inner_->SaveSnapshot(std::move(snapshot), retain, trailing, Wrap(std::move(done), true));
  }
  bool durable() const override { return inner_->durable(); }
  StorageStats Stats() override { return inner_->Stats(); }

  // Waits (real time, bounded) until no operation is in flight.
  bool WaitIdle() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [this] { return in_flight_ == 0; });
  }
  // Held completions due at or before `now` (in order); the earliest deadline otherwise.
  int64_t NextHeld() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.empty() ? INT64_MAX : held_.front().first;
  }
  bool RunHeld(int64_t now) {
    std::function<void()> fn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (held_.empty() || held_.front().first > now) return false;
      fn = std::move(held_.front().second);
      held_.pop_front();
    }
    fn();
    return true;
  }

  int64_t latency_ms = 0;
  uint64_t appended = 0;
  int term_votes = 0;
  int snapshots_saved = 0;
  int snapshots_installed = 0;

 private:
  Done Wrap(Done done, bool may_hold);

  Sim* const sim_;
  std::unique_ptr<Storage> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  int64_t last_deadline_ = 0;
  std::deque<std::pair<int64_t, std::function<void()>>> held_;
};

class Sim {
 public:
  int64_t now() const { return now_; }

  void AddHost(SimHost* h) { hosts_.push_back(h); }
  void AddStorage(SimStorage* s) { storages_.push_back(s); }
  void RemoveStorage(SimStorage* s) {
    storages_.erase(std::remove(storages_.begin(), storages_.end(), s), storages_.end());
  }

  void WaitStorage() {
    for (SimStorage* s : storages_) ASSERT_TRUE(s->WaitIdle()) << "storage thread stuck";
  }

  // Runs posted work until none is left on any running host. True if anything ran.
  bool RunReady() {
    bool any = false;
    for (;;) {
      bool round = false;
      for (size_t i = 0; i < hosts_.size(); ++i) {
        SimHost* h = hosts_[i];
        if (h->paused || h->dead) continue;
        if (h->RunOnePosted()) {
          round = true;
          WaitStorage();
        }
      }
      if (!round) return any;
      any = true;
    }
  }

  // Advances to the next timer or held completion (if before `limit`) and runs it.
  bool RunNextEvent(int64_t limit) {
    int64_t best = INT64_MAX;
    SimHost* host = nullptr;
    TimerId timer = 0;
    SimStorage* storage = nullptr;
    for (SimHost* h : hosts_) {
      if (h->paused || h->dead) continue;
      auto [at, id] = h->NextTimer();
      if (at < best) {
        best = at;
        host = h;
        timer = id;
        storage = nullptr;
      }
    }
    for (SimStorage* s : storages_) {
      const int64_t at = s->NextHeld();
      if (at < best) {
        best = at;
        storage = s;
        host = nullptr;
      }
    }
    if (best == INT64_MAX || best > limit) return false;
    now_ = std::max(now_, best);
    if (storage != nullptr) {
      storage->RunHeld(now_);
    } else {
      host->RunTimer(timer);
    }
    WaitStorage();
    return true;
  }

  // Steps until `pred` holds (true) or `max_ms` of simulated time passed (false).
  bool RunUntil(const std::function<bool()>& pred, int64_t max_ms) {
    const int64_t limit = now_ + max_ms;
    for (;;) {
      RunReady();
      if (pred()) return true;
      if (!RunNextEvent(limit)) {
        now_ = limit;
        RunReady();
        return pred();
      }
    }
  }
  void RunFor(int64_t ms) {
    RunUntil([] { return false; }, ms);
  }

 private:
  int64_t now_ = 1'000'000;
  std::vector<SimHost*> hosts_;
  std::vector<SimStorage*> storages_;
};

inline int64_t SimHost::NowMs() { return sim_->now(); }

inline TimerId SimHost::StartTimer(int64_t delay_ms, std::function<void()> fn) {
  const TimerId id = next_timer_++;
  const int64_t at = sim_->now() + std::max<int64_t>(delay_ms, 0);
  timers_.emplace(std::make_pair(at, id), std::move(fn));
  timer_at_[id] = at;
  return id;
}

inline Storage::Done SimStorage::Wrap(Done done, bool may_hold) {
  int64_t deadline = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++in_flight_;
    // Once something is held, later completions queue behind it (storage order).
    if (may_hold && (latency_ms > 0 || !held_.empty())) {
      deadline = std::max(last_deadline_, sim_->now() + latency_ms);
      last_deadline_ = deadline;
    }
  }
  return [this, done = std::move(done), deadline](Status s) {
    if (deadline > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      held_.emplace_back(deadline, [done, s] {
        if (done) done(s);
      });
    } else if (done) {
      done(s);
    }
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    cv_.notify_all();
  };
}

}  // namespace zk::raft_test
