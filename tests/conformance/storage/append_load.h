// A load generator for the storage benchmarks: one producer appends 1 KiB entries in small
// batches with a bounded window of batches in flight (a leader's replication pipeline) and
// records each Append's latency from call to `done`. Optionally saves one large snapshot
// half-way, to measure how much it disturbs the appends around it.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "storage_fixture.h"

namespace zk::testing {

struct AppendLoad {
  uint64_t entries = 10000;
  uint64_t batch = 10;
  int window = 64;
  size_t entry_bytes = 1024;
  size_t snapshot_bytes = 0;  // 0: no snapshot
};

struct AppendLoadResult {
  bool ok = false;  // every done arrived, with OK, before the deadline
  double seconds = 0;
  uint64_t fsyncs = 0;
  std::vector<double> latency_ms;          // sorted
  double snapshot_ms = 0;                  // SaveSnapshot call -> its done
  uint64_t committed_during_snapshot = 0;  // entries committed while the snapshot was written

  double Percentile(double p) const {
    return latency_ms.empty() ? 0 : latency_ms[static_cast<size_t>(p * (latency_ms.size() - 1))];
  }
  double EntriesPerSecond(uint64_t entries) const { return entries / seconds; }
};

inline AppendLoadResult RunAppendLoad(Storage* s, const AppendLoad& load) {
  using Clock = std::chrono::steady_clock;
  AppendLoadResult result;
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  uint64_t acked = 0;
  bool failed = false;
  bool snapshot_done = load.snapshot_bytes == 0;
  uint64_t appended_at_snapshot_start = 0;
  Clock::time_point snapshot_start;
  result.latency_ms.reserve(load.entries / load.batch + 1);
  // Payloads are built from one pattern buffer so the producer costs little next to the
  // storage; each still starts with its own index marker.
  const std::string pattern = DataFor(0, load.entry_bytes);
  const uint64_t fsyncs_before = s->Stats().fsyncs;
  const Clock::time_point start = Clock::now();
  for (uint64_t next = 1; next <= load.entries; next += load.batch) {
    {
      std::unique_lock<std::mutex> lock(mu);
      if (!cv.wait_for(lock, kDeadline, [&] { return in_flight < load.window; })) return result;
      ++in_flight;
    }
    const uint64_t last = std::min(load.entries, next + load.batch - 1);
    std::vector<LogEntry> batch;
    for (uint64_t i = next; i <= last; ++i) {
      batch.push_back(LogEntry{i, 1, 0, pattern});
      std::snprintf(batch.back().data.data(), 14, "entry-%06llu", (unsigned long long)i);
    }
    const Clock::time_point issued = Clock::now();
    s->Append(std::move(batch), [&, issued, n = last - next + 1](Status st) {
      const Clock::time_point now = Clock::now();
      std::lock_guard<std::mutex> lock(mu);
      result.latency_ms.push_back(std::chrono::duration<double, std::milli>(now - issued).count());
      --in_flight;
      acked += n;
      failed |= !st.ok();
      cv.notify_all();
    });
    if (load.snapshot_bytes > 0 && next <= load.entries / 2 && last >= load.entries / 2) {
      Snapshot snap;
      snap.meta.index = last;
      snap.meta.term = 1;
      snap.data.assign(load.snapshot_bytes, 's');
      snapshot_start = Clock::now();
      appended_at_snapshot_start = s->Stats().entries_appended;
      s->SaveSnapshot(std::move(snap), 3, load.entries, [&](Status st) {
        // Runs on the storage thread, the only writer of entries_appended.
        const uint64_t appended = s->Stats().entries_appended;
        std::lock_guard<std::mutex> lock(mu);
        result.snapshot_ms =
            std::chrono::duration<double, std::milli>(Clock::now() - snapshot_start).count();
        result.committed_during_snapshot = appended - appended_at_snapshot_start;
        snapshot_done = true;
        failed |= !st.ok();
        cv.notify_all();
      });
    }
  }
  std::unique_lock<std::mutex> lock(mu);
  if (!cv.wait_for(lock, kDeadline, [&] { return acked == load.entries && snapshot_done; })) {
    return result;
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.fsyncs = s->Stats().fsyncs - fsyncs_before;
  std::sort(result.latency_ms.begin(), result.latency_ms.end());
  result.ok = !failed;
  return result;
}

}  // namespace zk::testing
