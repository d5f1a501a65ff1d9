// Counters behind srvr/stat/mntr/cons (ZooKeeper's ServerStats and per-connection stats).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace zk::server {

struct LatencyStats {
  int64_t min = std::numeric_limits<int64_t>::max();
  int64_t max = 0;
  int64_t total = 0;
  int64_t count = 0;
  void Add(int64_t ms) {
    min = std::min(min, ms);
    max = std::max(max, ms);
    total += ms;
    ++count;
  }
  int64_t Min() const { return count ? min : 0; }
  double Avg() const { return count ? static_cast<double>(total) / count : 0.0; }
  void Reset() { *this = LatencyStats(); }
};

struct ServerStats {
  int64_t packets_received = 0;
  int64_t packets_sent = 0;
  LatencyStats latency;
  int64_t start_ms = 0;  // monotonic
  int64_t last_proposal_size = -1;
  int64_t min_proposal_size = -1;
  int64_t max_proposal_size = -1;
  void Reset() {
    packets_received = packets_sent = 0;
    latency.Reset();
  }
};

}  // namespace zk::server
