// A deterministic simulated register workload (what the in-process fault harness will
// record): clients with one session each issue read / sync_read / write / cas on a few
// znodes; every op takes effect at a point inside its interval, in one global zxid order.
// Some writes time out (info) and did or did not take effect.
#pragma once

#include <algorithm>
#include <cstdint>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "history_lines.h"

namespace zkcheck::testing {

struct SimOptions {
  int ops = 1000;
  int keys = 4;
  int clients = 5;
  double info_rate = 0.01;
  uint32_t seed = 1;
};

inline std::string SimulateHistory(const SimOptions& o) {
  std::mt19937 rng(o.seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  struct Znode {
    std::string value = "0";
    int64_t version = 0;
    int64_t mzxid = 1;
  };
  std::vector<Znode> nodes(o.keys);
  std::vector<std::vector<int64_t>> last_seen(o.clients, std::vector<int64_t>(o.keys, 0));
  struct Line {
    int64_t time;
    int seq;
    std::string text;
  };
  std::vector<Line> lines;
  int seq = 0;
  std::string head;
  for (int k = 0; k < o.keys; ++k) head += Init("/r" + std::to_string(k), "0", 0, 1);
  // (linearization point, client, invoke time)
  using Next = std::tuple<int64_t, int, int64_t>;
  std::priority_queue<Next, std::vector<Next>, std::greater<Next>> queue;
  for (int c = 0; c < o.clients; ++c) {
    int64_t inv = uniform(0, 50);
    queue.push({inv + uniform(1, 100), c, inv});
  }
  int64_t zxid = 1;
  for (int id = 1; id <= o.ops; ++id) {
    auto [lp, c, inv] = queue.top();
    queue.pop();
    int k = uniform(0, o.keys - 1);
    std::string key = "/r" + std::to_string(k);
    std::string session = "0x" + std::to_string(c + 1);
    Znode& n = nodes[k];
    int kind = uniform(0, 99);
    int64_t done = lp + uniform(1, 100);
    std::string invoke, complete;
    if (kind < 40 || kind >= 90) {  // read or sync_read: the state at the point
      invoke = Inv(id, inv, session, kind < 40 ? "read" : "sync_read", key);
      complete = Ok(id, done, VVZ(n.value, n.version, n.mzxid));
      last_seen[c][k] = n.version;
    } else {
      bool cas = kind >= 70;
      std::string value = "v" + std::to_string(id);
      int64_t expected = last_seen[c][k];
      invoke = Inv(id, inv, session, cas ? "cas" : "write", key,
                   (cas ? "\"expected_version\":" + std::to_string(expected) + "," : "") +
                       V(value));
      bool info = std::uniform_real_distribution<double>(0, 1)(rng) < o.info_rate;
      bool applies = !cas || expected == n.version;
      if (info) applies = applies && uniform(0, 1) == 1;
      if (applies) {
        n = {value, n.version + 1, ++zxid};
        last_seen[c][k] = n.version;
      }
      if (info) {
        complete = Info(id, done);
      } else if (applies) {
        complete = Ok(id, done, VZ(n.version, n.mzxid));
      } else {
        complete = Fail(id, done, "\"error\":\"bad_version\"");
      }
    }
    lines.push_back({inv, seq++, invoke});
    lines.push_back({done, seq++, complete});
    int64_t next_inv = done + uniform(1, 10);
    queue.push({next_inv + uniform(1, 100), c, next_inv});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.time < b.time; });
  std::string out = head;
  for (const Line& l : lines) out += l.text;
  std::string final_nodes;
  for (int k = 0; k < o.keys; ++k) {
    if (k > 0) final_nodes += ",";
    final_nodes += "\"/r" + std::to_string(k) + "\":{" + V(nodes[k].value) + "," +
                   Ver(nodes[k].version) + ",\"mzxid\":" + std::to_string(nodes[k].mzxid) + "}";
  }
  for (int s = 1; s <= 3; ++s) {
    out += "{\"phase\":\"final\",\"server\":\"" + std::to_string(s) + "\",\"nodes\":{" +
           final_nodes + "}}\n";
  }
  return out;
}

}  // namespace zkcheck::testing
