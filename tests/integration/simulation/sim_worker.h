// One logical client of the simulation's workload (issue 5, workloads a-e): a SimClient that
// keeps one request in flight, picked at random among register reads (some leaving a data
// watch), sync + read, blind writes, compare-and-set (getData, then setData with that
// version), sequential creates, ephemeral creates and deletes, a two-key multi, and session
// closes. Every request is recorded in the HistoryRecorder: ok, fail (an error that proves
// nothing happened) or info (the connection ended first: the outcome is unknown).
//
// It behaves as ZooKeeper's Java client does where that matters for the guarantees: it
// pings every third of the session timeout, gives a connection up after two thirds of the
// timeout without hearing from it, moves to another server keeping its session (re-attach,
// then SetWatches for the watches still pending), and learns of an expiry only from the
// server (then records `expire` and starts a new session). A session is never abandoned
// silently: a close whose answer was lost is followed by re-attaches until the session is
// back (and closed again) or reported expired, so the checker knows every session's end.
//
// Threads: everything runs on the client's SimHost, stepped by the test thread.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../ensemble/zk_ensemble.h"
#include "history_recorder.h"

namespace zk::simulation {

using ensemble_test::SimClient;
using ensemble_test::ZkEnsemble;

// The znodes the workload uses; the schedule creates the parents and registers first.
struct Workload {
  static constexpr const char* kRoot = "/sim";
  static constexpr const char* kQueue = "/sim/q";
  static constexpr const char* kSeqPrefix = "/sim/q/n-";
  static constexpr const char* kEphemerals = "/sim/e";
  static std::vector<std::string> Registers() {
    return {"/sim/r0", "/sim/r1", "/sim/r2", "/sim/r3", "/sim/r4"};
  }
  static std::vector<std::string> MultiKeys() { return {"/sim/m0", "/sim/m1"}; }
};

struct WorkerCounts {
  int64_t ok = 0;
  int64_t fail = 0;
  int64_t info = 0;
  int64_t unexpected = 0;  // errors outside the list below (recorded as info, and reported)
  int64_t watch_events = 0;
  int64_t expiries = 0;
};

class SimWorker {
 public:
  SimWorker(ZkEnsemble* e, HistoryRecorder* history, int process, uint64_t seed,
            int32_t session_timeout_ms)
      : e_(e),
        history_(history),
        process_(process),
        rng_(seed),
        timeout_ms_(session_timeout_ms),
        c_(e->NewClient("w" + std::to_string(process))) {
    c_->on_reply = [this](int32_t xid, const SimClient::Reply& r) { OnReply(xid, r); };
    c_->on_event = [this](const proto::WatcherEvent& ev) { OnEvent(ev); };
    c_->on_handshake = [this] { OnHandshake(); };
    c_->on_closed = [this] { OnClosed(); };
  }

  // The client lives on in the ensemble (which closes its connection later): unhook it.
  ~SimWorker() {
    c_->on_reply = nullptr;
    c_->on_event = nullptr;
    c_->on_handshake = nullptr;
    c_->on_closed = nullptr;
  }
  SimWorker(const SimWorker&) = delete;
  SimWorker& operator=(const SimWorker&) = delete;

  // Connects to a random server and starts working (and watching its connection).
  void Start() {
    last_working_ms_ = Now();
    Open(false);
    ArmWatchdog();
  }
  // From now on no new request is sent; the one in flight finishes (or turns info).
  void Drain() { draining_ = true; }
  // Connected, nothing in flight, draining: the history of this client is complete.
  bool Quiet() const { return draining_ && state_ == State::kIdle; }
  const WorkerCounts& counts() const { return counts_; }
  SimClient* client() { return c_; }

 private:
  enum class State { kOffline, kConnecting, kIdle, kBusy };
  enum class Kind { kRead, kSyncRead, kWrite, kCasRead, kCas, kCreateSeq, kCreateEph,
                    kDeleteEph, kMulti, kClose };
  struct InFlight {
    Kind kind = Kind::kRead;
    int64_t id = 0;
    int32_t xid = 0;  // the reply that completes it (sync + read: the read's)
    std::string key;
    std::string value;
    bool watch = false;
    int64_t started_ms = 0;
  };

  int64_t Now() { return c_->host()->NowMs(); }
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string Session() const { return zkcheck::Hex(session_id_); }

  // Connects to a random server: a new session when `fresh` or none is held, else a
  // re-attach. The connection being replaced ends without the OnClosed handling.
  void Open(bool fresh) {
    if (fresh) EndSession();
    const uint16_t port = e_->client_port(Pick(e_->size()));
    replacing_ = true;
    if (session_id_ != 0) {
      c_->Reattach(port);
    } else {
      c_->Connect(port, timeout_ms_);
    }
    replacing_ = false;
    state_ = State::kConnecting;
  }

  void OnHandshake() {
    if (c_->expired()) {
      // The server says the session is gone: its ephemerals and watches with it.
      history_->Event(Now(), process_, Session(), JsonLine().Field("op", "expire"));
      ++counts_.expiries;
      Open(true);
      return;
    }
    const bool reattached = session_id_ == c_->session_id();
    session_id_ = c_->session_id();
    if (reattached && !watched_.empty()) {
      // ClientCnxn.primeConnection: watches still pending are set again on the new server.
      c_->SetWatches({watched_.begin(), watched_.end()}, {}, {});
    }
    state_ = State::kIdle;
    c_->StartPinging(timeout_ms_ / 3);
    if (closing_) return Issue(Kind::kClose);  // its answer was lost: close again here
    ScheduleNext();
  }

  void OnClosed() {
    if (state_ == State::kOffline || replacing_) return;
    c_->StopPinging();
    if (state_ == State::kBusy) Finish("info");
    state_ = State::kOffline;
    c_->host()->StartTimer(20 + Pick(300), [this] {
      if (state_ == State::kOffline) Open(false);
    });
  }

  // Gives a connection up as the Java client does: nothing heard for two thirds of the
  // session timeout, or a request unanswered for two timeouts. After the faults healed, a
  // client no server took back for four timeouts gives its handle up and starts a new one (a
  // new session, no zxid seen): only an ensemble that lost data refuses it that long (it has
  // seen a newer zxid than any server has); the old session's fate stays unknown.
  void ArmWatchdog() {
    c_->host()->StartTimer(100, [this] {
      const bool silent = Now() - c_->last_received_ms() > timeout_ms_ * 2 / 3;
      const bool stuck = state_ == State::kBusy && Now() - op_.started_ms > 2 * timeout_ms_;
      if (state_ != State::kOffline && (silent || stuck)) c_->Disconnect();
      const bool working = state_ == State::kIdle || state_ == State::kBusy;
      if (working) last_working_ms_ = Now();
      if (!working && draining_ && Now() - last_working_ms_ > 4 * timeout_ms_) {
        last_working_ms_ = Now();
        c_->ForgetZxid();
        Open(true);
      }
      ArmWatchdog();
    });
  }

  void ScheduleNext() {
    c_->host()->StartTimer(Pick(30), [this, gen = ++idle_gen_] {
      if (state_ != State::kIdle || gen != idle_gen_ || draining_) return;
      const int roll = Pick(100);
      if (roll < 25) return Issue(Kind::kRead);
      if (roll < 35) return Issue(Kind::kSyncRead);
      if (roll < 53) return Issue(Kind::kWrite);
      if (roll < 68) return Issue(Kind::kCasRead);
      if (roll < 77) return Issue(Kind::kCreateSeq);
      if (roll < 85) return Issue(Kind::kCreateEph);
      if (roll < 91) return Issue(Kind::kDeleteEph);
      if (roll < 98) return Issue(Kind::kMulti);
      return Issue(Kind::kClose);
    });
  }

  std::string NewValue() { return "p" + std::to_string(process_) + "-" + std::to_string(++n_); }
  std::string RandomRegister() {
    const auto regs = Workload::Registers();
    return regs[Pick(static_cast<int>(regs.size()))];
  }

  void Issue(Kind kind, int32_t cas_version = -1, std::string cas_key = "") {
    op_ = InFlight{};
    op_.kind = kind;
    op_.started_ms = Now();
    JsonLine f;
    switch (kind) {
      case Kind::kRead:
      case Kind::kCasRead:
        op_.key = RandomRegister();
        op_.watch = kind == Kind::kRead && Pick(3) == 0;
        f.Field("op", "read").Field("key", op_.key).Field("watch", op_.watch);
        op_.xid = c_->GetData(op_.key, op_.watch);
        break;
      case Kind::kSyncRead:
        op_.key = RandomRegister();
        f.Field("op", "sync_read").Field("key", op_.key);
        c_->Sync(op_.key);
        op_.xid = c_->GetData(op_.key, false);
        break;
      case Kind::kWrite:
        op_.key = RandomRegister();
        op_.value = NewValue();
        f.Field("op", "write").Field("key", op_.key).Field("value", op_.value);
        op_.xid = c_->SetData(op_.key, op_.value);
        break;
      case Kind::kCas:
        op_.key = cas_key;
        op_.value = NewValue();
        f.Field("op", "cas").Field("key", op_.key).Field("value", op_.value);
        f.Field("expected_version", int64_t{cas_version});
        op_.xid = c_->SetData(op_.key, op_.value, cas_version);
        break;
      case Kind::kCreateSeq:
        op_.key = Workload::kSeqPrefix;
        op_.value = NewValue();
        f.Field("op", "create_seq").Field("key", op_.key).Field("value", op_.value);
        op_.xid = c_->Create2(op_.key, op_.value, proto::CreateMode::kPersistentSequential);
        break;
      case Kind::kCreateEph:
        op_.key = std::string(Workload::kEphemerals) + "/p" + std::to_string(process_) + "-" +
                  std::to_string(++n_);
        op_.value = NewValue();
        f.Field("op", "create").Field("key", op_.key).Field("value", op_.value);
        f.Field("ephemeral", true);
        op_.xid = c_->Create2(op_.key, op_.value, proto::CreateMode::kEphemeral);
        break;
      case Kind::kDeleteEph:
        if (ephemerals_.empty()) return Issue(Kind::kCreateEph);
        op_.key = *std::next(ephemerals_.begin(), Pick(static_cast<int>(ephemerals_.size())));
        f.Field("op", "delete").Field("key", op_.key);
        op_.xid = c_->Delete(op_.key, -1);
        break;
      case Kind::kMulti: {
        op_.value = NewValue();
        std::string subs = "[";
        std::vector<proto::MultiOp> ops;
        for (const std::string& k : Workload::MultiKeys()) {
          subs += (subs.size() > 1 ? "," : "") +
                  JsonLine().Field("op", "write").Field("key", k).Field("value", op_.value).Done();
          ops.push_back({proto::OpCode::kSetData, proto::SetDataRequest{k, op_.value, -1}});
        }
        f.Field("op", "multi").Raw("ops", subs + "]");
        op_.xid = c_->Multi(std::move(ops));
        break;
      }
      case Kind::kClose:
        closing_ = true;
        f.Field("op", "close");
        op_.xid = c_->CloseSession();
        break;
    }
    op_.id = history_->Invoke(Now(), process_, Session(), std::move(f));
    state_ = State::kBusy;
  }

  void OnReply(int32_t xid, const SimClient::Reply& r) {
    if (state_ != State::kBusy || xid != op_.xid) return;  // e.g. SetWatches, sync
    const proto::ErrorCode err = r.err();
    const Kind kind = op_.kind;
    if (err != proto::ErrorCode::kOk && !(IsRead(kind) && err == proto::ErrorCode::kNoNode)) {
      return FinishError(err);
    }
    JsonLine f;
    if (IsRead(kind)) {
      const auto* data = std::get_if<proto::GetDataResponse>(&r.body);
      if (err == proto::ErrorCode::kNoNode || data == nullptr) {
        f.Field("exists", false);
      } else {
        f.Field("value", data->data).Field("version", int64_t{data->stat.version});
        f.Field("zxid", data->stat.mzxid);
        if (op_.watch) watched_.insert(op_.key);
      }
      Finish("ok", std::move(f));
      if (kind == Kind::kCasRead && data != nullptr && err == proto::ErrorCode::kOk) {
        return Issue(Kind::kCas, data->stat.version, op_.key);
      }
    } else if (kind == Kind::kWrite || kind == Kind::kCas) {
      const auto* st = std::get_if<proto::StatResponse>(&r.body);
      if (st != nullptr) {
        f.Field("version", int64_t{st->stat.version}).Field("zxid", st->stat.mzxid);
      }
      Finish("ok", std::move(f));
    } else if (kind == Kind::kCreateSeq || kind == Kind::kCreateEph) {
      const auto* cr = std::get_if<proto::Create2Response>(&r.body);
      if (cr != nullptr) {
        f.Field("path", cr->path).Field("version", int64_t{0}).Field("zxid", cr->stat.czxid);
        if (kind == Kind::kCreateEph) ephemerals_.insert(cr->path);
      }
      Finish("ok", std::move(f));
    } else if (kind == Kind::kDeleteEph) {
      ephemerals_.erase(op_.key);
      Finish("ok", std::move(f.Field("zxid", r.header.zxid)));
    } else if (kind == Kind::kMulti) {
      std::string results = "[";
      if (const auto* m = std::get_if<proto::MultiResponse>(&r.body)) {
        for (const proto::MultiResult& res : m->results) {
          const auto* st = std::get_if<proto::StatResponse>(&res.body);
          results += (results.size() > 1 ? "," : "") +
                     (st ? JsonLine().Field("version", int64_t{st->stat.version}).Done()
                         : std::string("{}"));
        }
      }
      f.Field("zxid", r.header.zxid).Raw("results", results + "]");
      Finish("ok", std::move(f));
    } else if (kind == Kind::kClose) {
      Finish("ok");
      Open(true);
      return;
    }
    if (state_ == State::kBusy) return;
    ScheduleNext();
  }

  static bool IsRead(Kind k) {
    return k == Kind::kRead || k == Kind::kSyncRead || k == Kind::kCasRead;
  }

  // ZooKeeper errors that prove the request changed nothing; the connection errors leave its
  // outcome unknown. Anything else is unexpected from this workload: recorded as unknown and
  // counted, so the schedule reports it.
  void FinishError(proto::ErrorCode err) {
    const char* name = nullptr;
    switch (err) {
      case proto::ErrorCode::kBadVersion: name = "bad_version"; break;
      case proto::ErrorCode::kNoNode: name = "no_node"; break;
      case proto::ErrorCode::kNodeExists: name = "node_exists"; break;
      case proto::ErrorCode::kNotEmpty: name = "not_empty"; break;
      default: break;
    }
    if (name != nullptr) {
      if (op_.kind == Kind::kDeleteEph) ephemerals_.erase(op_.key);
      Finish("fail", std::move(JsonLine().Field("error", name)));
    } else {
      if (err != proto::ErrorCode::kConnectionLoss && err != proto::ErrorCode::kSessionExpired &&
          err != proto::ErrorCode::kSessionMoved && err != proto::ErrorCode::kOperationTimeout) {
        ++counts_.unexpected;
        c_->host()->Log(LogLevel::kWarn, std::string("unexpected error ") + proto::ErrorName(err));
      }
      Finish("info");
    }
    if (state_ == State::kIdle) ScheduleNext();
  }

  void Finish(const char* phase, JsonLine f = {}) {
    history_->Complete(Now(), op_.id, phase, std::move(f));
    if (phase[0] == 'o') ++counts_.ok;
    if (phase[0] == 'f') ++counts_.fail;
    if (phase[0] == 'i') ++counts_.info;
    state_ = State::kIdle;
  }

  void OnEvent(const proto::WatcherEvent& ev) {
    const char* name = nullptr;
    switch (ev.type) {
      case proto::EventType::kNodeCreated: name = "NodeCreated"; break;
      case proto::EventType::kNodeDeleted: name = "NodeDeleted"; break;
      case proto::EventType::kNodeDataChanged: name = "NodeDataChanged"; break;
      case proto::EventType::kNodeChildrenChanged: name = "NodeChildrenChanged"; break;
      default: return;
    }
    watched_.erase(ev.path);
    ++counts_.watch_events;
    history_->Event(Now(), process_, Session(),
                    JsonLine().Field("op", "watch_event").Field("key", ev.path).Field("event",
                                                                                     name));
  }

  void EndSession() {
    session_id_ = 0;
    closing_ = false;
    watched_.clear();
    ephemerals_.clear();
  }

  ZkEnsemble* const e_;
  HistoryRecorder* const history_;
  const int process_;
  std::mt19937_64 rng_;
  const int32_t timeout_ms_;
  SimClient* const c_;
  State state_ = State::kOffline;
  InFlight op_;
  int64_t session_id_ = 0;  // the session this client holds (0: none yet)
  bool closing_ = false;    // a close was sent and not answered
  bool replacing_ = false;  // Open is closing the current connection itself
  bool draining_ = false;
  uint64_t idle_gen_ = 0;
  int64_t last_working_ms_ = 0;  // the last watchdog round that found it connected
  int64_t n_ = 0;
  std::set<std::string> watched_;     // data watches pending in this session
  std::set<std::string> ephemerals_;  // this session's ephemerals
  WorkerCounts counts_;
};

}  // namespace zk::simulation
