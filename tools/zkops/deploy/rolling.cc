#include "deploy/rolling.h"

#include <cinttypes>
#include <cstdio>
#include <thread>

#include "deploy/plan.h"

namespace zkops::deploy {
namespace {

using Clock = std::chrono::steady_clock;

const status::ServerReport* ReportFor(const status::EnsembleStatus& st, uint64_t id) {
  for (const status::ServerReport& r : st.servers) {
    if (r.target.expected_id && static_cast<uint64_t>(*r.target.expected_id) == id) return &r;
  }
  return nullptr;
}

std::string Hex(uint64_t zxid) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, zxid);
  return buf;
}

std::string Name(uint64_t id) { return "server." + std::to_string(id); }

std::string RoleOf(const status::EnsembleStatus& st, uint64_t id) {
  const status::ServerReport* r = ReportFor(st, id);
  return r == nullptr ? "unknown" : status::StateName(r->state);
}

std::string Seconds(Clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s",
                std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 1000.0);
  return buf;
}

// Polls until pred(status) holds or the deadline passes; the last status in *last.
template <typename Pred>
bool PollUntil(const Prober& probe, Clock::time_point deadline, std::chrono::milliseconds poll,
               Pred pred, status::EnsembleStatus* last) {
  while (true) {
    *last = probe();
    if (pred(*last)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

std::string Trim(const std::string& s) {
  size_t end = s.find_last_not_of(" \n\r\t");
  return end == std::string::npos ? "" : s.substr(0, end + 1);
}

}  // namespace

bool AwaitHealthy(const Prober& probe, std::chrono::milliseconds await,
                  std::chrono::milliseconds poll, status::EnsembleStatus* last) {
  return PollUntil(probe, Clock::now() + await, poll,
                   [](const status::EnsembleStatus& st) {
                     return st.verdict == status::Verdict::kHealthy;
                   },
                   last);
}

RollingResult RollingRestart(const inventory::RenderedCluster& cluster,
                             const std::vector<uint64_t>& to_restart, ServerOps& ops,
                             const Prober& probe, const RollingOptions& options) {
  RollingResult result;
  status::EnsembleStatus st = probe();
  if (st.verdict != status::Verdict::kHealthy) {
    result.refused = true;
    result.status = zk::Status::Unavailable(
        std::string("the ensemble is ") + status::VerdictName(st.verdict) + " (" + st.summary +
        "): a rolling restart could lose the quorum, so nothing was restarted; fix it and run "
        "deploy again (`zkops status`)");
    return result;
  }
  const std::vector<uint64_t> order = RestartOrder(to_restart, st);
  std::string plan;
  for (uint64_t id : order) {
    plan += (plan.empty() ? "" : ", ") + Name(id) + " (" + RoleOf(st, id) + ")";
  }
  options.progress("rolling restart of " + std::to_string(order.size()) + " server" +
                   (order.size() == 1 ? "" : "s") + ", followers first, leader last: " + plan);

  for (size_t i = 0; i < order.size(); ++i) {
    const uint64_t id = order[i];
    const inventory::RenderedServer* server = cluster.Find(id);
    const std::string step = "restart " + std::to_string(i + 1) + "/" +
                             std::to_string(order.size()) + ": " + Name(id);
    const auto started_at = Clock::now();
    uint64_t leader = 0;
    std::string output;
    if (LeaderId(st, &leader) && leader == id) {
      options.progress(step + " (leader): handing leadership away");
      int rc = ops.Transfer(*server, &output);
      if (rc != 0) {
        // `zkops server stop` hands leadership away too; the await below checks the outcome.
        options.progress("  transfer failed (" + Trim(output) + "); stopping it hands "
                         "leadership away");
      } else {
        if (!PollUntil(probe, Clock::now() + options.await, options.poll,
                       [&](const status::EnsembleStatus& s) {
                         uint64_t l = 0;
                         return LeaderId(s, &l) && l != id &&
                                s.verdict == status::Verdict::kHealthy;
                       },
                       &st)) {
          result.status = zk::Status::Aborted(Name(id) + ": leadership did not move within " +
                                              Seconds(options.await) + " (" + st.summary +
                                              "); stopped before restarting it");
          return result;
        }
        LeaderId(st, &leader);
        options.progress("  " + Name(leader) + " leads now");
      }
    } else {
      options.progress(step + " (" + RoleOf(st, id) + ")");
    }
    output.clear();
    if (int rc = ops.Stop(*server, &output); rc != 0) {
      result.status = zk::Status::Aborted(Name(id) + ": stop failed (exit " + std::to_string(rc) +
                                          "): " + Trim(output));
      return result;
    }
    options.progress("  stopped");
    output.clear();
    if (int rc = ops.Start(*server, &output); rc != 0) {
      result.status = zk::Status::Aborted(Name(id) + ": start failed (exit " +
                                          std::to_string(rc) + "): " + Trim(output) +
                                          "; the other servers keep the quorum");
      return result;
    }
    // Caught up: serving, the ensemble healthy, and its zxid at least the leader's zxid as
    // first seen after the start (a moving target under load would never be met exactly).
    std::optional<uint64_t> target_zxid;
    const bool ok = PollUntil(
        probe, Clock::now() + options.await, options.poll,
        [&](const status::EnsembleStatus& s) {
          uint64_t l = 0;
          if (!LeaderId(s, &l)) return false;
          const status::ServerReport* lr = ReportFor(s, l);
          if (!target_zxid && lr != nullptr && lr->zxid) target_zxid = *lr->zxid;
          const status::ServerReport* r = ReportFor(s, id);
          return s.verdict == status::Verdict::kHealthy && r != nullptr &&
                 status::IsServing(r->state) && r->zxid && target_zxid &&
                 *r->zxid >= *target_zxid;
        },
        &st);
    const status::ServerReport* r = ReportFor(st, id);
    if (!ok) {
      result.status = zk::Status::Aborted(
          Name(id) + " did not serve and catch up within " + Seconds(options.await) +
          " (state " + (r ? status::StateName(r->state) : "unknown") + "; ensemble " +
          status::VerdictName(st.verdict) + ": " + st.summary +
          "); stopped here, the servers not yet restarted keep running");
      return result;
    }
    LeaderId(st, &leader);
    options.progress("  " + Name(id) + " serving as " + status::StateName(r->state) + ", zxid " +
                     Hex(*r->zxid) + " caught up with leader " + Name(leader) + " (" +
                     Hex(*target_zxid) + ") after " + Seconds(Clock::now() - started_at));
    result.restarted.push_back(id);
  }
  return result;
}

}  // namespace zkops::deploy
