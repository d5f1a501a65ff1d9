// Four-letter words on the client port, in ZooKeeper 3.8's formats (operations.md §1.4-1.5).
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "server/server.h"
#include "server/server_internal.h"

namespace zk::server {

namespace {

const std::set<std::string>& KnownWords() {
  static const std::set<std::string> kWords = {"conf", "cons", "crst", "dirs", "dump", "envi",
                                               "gtmk", "ruok", "stmk", "srst", "srvr", "stat",
                                               "wchc", "wchp", "wchs", "mntr", "isro", "hash"};
  return kWords;
}

constexpr char kNotServing[] = "This ZooKeeper instance is not currently serving requests\n";

std::string Hex(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Java's Double.toString for the averages ZooKeeper prints (rounded to 4 places first).
std::string JavaDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4f", v);
  std::string s(buf);
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

uint64_t DirSize(const std::string& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

std::string VersionLine() {
  return std::string("3.8.0-zknode-") + ZK_VERSION + ", built on " __DATE__ " " __TIME__;
}

}  // namespace

bool ZkServer::IsFourLetterWordEnabled(const std::string& word) const {
  const auto& allowed = options_.cfg.four_letter_words;
  return word == "srvr" || allowed.count("*") || allowed.count(word);
}

std::string ZkServer::FourLetterWord(const std::string& word) {
  if (!KnownWords().count(word)) return "";
  if (!IsFourLetterWordEnabled(word)) {
    return word + " is not executed because it is not in the whitelist.\n";
  }
  return FourLetterWordUnchecked(word);
}

std::string ZkServer::FourLetterWordUnchecked(const std::string& word) {
  if (word == "ruok") return "imok";
  if (word == "envi") return Envi();
  if (word == "isro") return serving() ? "rw" : "null";
  if (!serving()) return kNotServing;
  if (word == "srvr") return Srvr(false);
  if (word == "stat") return Srvr(true);
  if (word == "mntr") return Mntr();
  if (word == "conf") return Conf();
  if (word == "cons") return Cons();
  if (word == "dump") return Dump();
  if (word == "dirs") return Dirs();
  if (word == "wchs") return Wchs();
  if (word == "wchc") return Wchc();
  if (word == "wchp") return Wchp();
  if (word == "srst") {
    stats_.Reset();
    return "Server stats reset.\n";
  }
  if (word == "crst") {
    for (auto& [id, c] : conns_) {
      c->latency.Reset();
      c->recved = c->sent = 0;
    }
    return "Connection stats reset.\n";
  }
  if (word == "gtmk" || word == "stmk") return "0\n";
  if (word == "hash") return Hex(last_zxid_) + ": " + std::to_string(tree_.Digest()) + "\n";
  return "";
}

std::string ZkServer::Srvr(bool with_clients) {
  std::ostringstream o;
  o << "Zookeeper version: " << VersionLine() << "\n";
  if (with_clients) {
    o << "Clients:\n";
    for (auto& [id, c] : conns_) {
      o << " /" << c->peer << "[1](queued=" << c->pending.size() << ",recved=" << c->recved
        << ",sent=" << c->sent << ")\n";
    }
    o << "\n";
  }
  size_t outstanding = 0;
  for (auto& [id, c] : conns_) outstanding += c->pending.size();
  o << "Latency min/avg/max: " << stats_.latency.Min() << "/" << JavaDouble(stats_.latency.Avg())
    << "/" << stats_.latency.max << "\n";
  o << "Received: " << stats_.packets_received << "\n";
  o << "Sent: " << stats_.packets_sent << "\n";
  o << "Connections: " << conns_.size() << "\n";
  o << "Outstanding: " << outstanding << "\n";
  o << "Zxid: " << Hex(last_zxid_) << "\n";
  o << "Mode: " << RoleName(role_) << "\n";
  o << "Node count: " << tree_.node_count() << "\n";
  if (role_ == Role::kLeader) {
    o << "Proposal sizes last/min/max: " << stats_.last_proposal_size << "/"
      << stats_.min_proposal_size << "/" << stats_.max_proposal_size << "\n";
  }
  return o.str();
}

std::string ZkServer::Mntr() {
  std::ostringstream o;
  auto line = [&o](const char* k, const auto& v) { o << "zk_" << k << "\t" << v << "\n"; };
  size_t outstanding = 0;
  for (auto& [id, c] : conns_) outstanding += c->pending.size();
  size_t fds = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  const bool distributed = options_.cfg.distributed();
  line("version", VersionLine());
  line("server_state", RoleName(role_));
  if (distributed) {
    // QuorumPeer.getDetailedPeerState.
    const char* peer = role_ == Role::kLeader     ? "leading - broadcast"
                       : role_ == Role::kFollower ? "following - broadcast"
                       : role_ == Role::kObserver ? "observing - broadcast"
                                                  : "looking";
    line("peer_state", peer);
  }
  line("avg_latency", JavaDouble(stats_.latency.Avg()));
  line("max_latency", stats_.latency.max);
  line("min_latency", stats_.latency.Min());
  line("packets_received", stats_.packets_received);
  line("packets_sent", stats_.packets_sent);
  line("num_alive_connections", conns_.size());
  line("outstanding_requests", outstanding);
  line("uptime", loop_->NowMs() - stats_.start_ms);
  line("znode_count", tree_.node_count());
  line("watch_count", watches_.watch_count());
  line("ephemerals_count", tree_.ephemeral_count());
  line("approximate_data_size", tree_.approximate_data_size());
  line("open_file_descriptor_count", fds);
  line("max_file_descriptor_count", rl.rlim_cur);
  line("global_sessions", sessions_.size());
  line("local_sessions", 0);
  if (distributed) line("quorum_size", options_.cfg.participants());
  if (role_ == Role::kLeader) {
    // LeaderZooKeeperServer.registerMetrics: only the leader has these.
    ElectionStats es = election_->Stats();
    line("learners", es.learners);
    line("synced_followers", es.synced_followers);
    line("synced_non_voting_followers", 0);
    line("synced_observers", 0);
    line("pending_syncs", 0);
    line("last_proposal_size", stats_.last_proposal_size);
    line("min_proposal_size", stats_.min_proposal_size);
    line("max_proposal_size", stats_.max_proposal_size);
  }
  for (const auto& p : options_.plugins) {
    o << "zk_plugin_" << p.kind << "\t" << p.name << " " << p.version << "\n";
  }
  return o.str();
}

std::string ZkServer::Conf() {
  const auto& cfg = options_.cfg;
  std::ostringstream o;
  o << "clientPort=" << client_port_ << "\n";
  o << "secureClientPort=-1\n";
  o << "dataDir=" << cfg.data_dir << "\n";
  o << "dataDirSize=" << DirSize(cfg.data_dir) << "\n";
  o << "dataLogDir=" << cfg.data_log_dir << "\n";
  o << "dataLogSize=" << DirSize(cfg.data_log_dir) << "\n";
  o << "tickTime=" << cfg.tick_time << "\n";
  o << "maxClientCnxns=" << cfg.max_client_cnxns << "\n";
  o << "minSessionTimeout=" << cfg.min_session_timeout << "\n";
  o << "maxSessionTimeout=" << cfg.max_session_timeout << "\n";
  o << "clientPortListenBacklog=-1\n";
  o << "serverId=" << cfg.my_id << "\n";
  if (cfg.distributed()) {
    // QuorumZooKeeperServer.dumpConf.
    const config::ServerLine* self = cfg.self();
    o << "initLimit=" << cfg.init_limit << "\n";
    o << "syncLimit=" << cfg.sync_limit << "\n";
    o << "electionAlg=3\n";
    o << "electionPort=" << (self ? self->election_port : 0) << "\n";
    o << "quorumPort=" << (self ? self->quorum_port : 0) << "\n";
    o << "peerType=" << (self && self->observer ? 1 : 0) << "\n";
    o << "membership: \n";
    for (const auto& s : cfg.servers) {
      o << "server." << s.id << "=" << s.host << ":" << s.quorum_port << ":" << s.election_port
        << ":" << (s.observer ? "observer" : "participant");
      if (s.client_port) {
        o << ";" << (s.client_address.empty() ? "0.0.0.0" : s.client_address) << ":"
          << s.client_port;
      }
      o << "\n";
    }
    o << "version=0\n";
  }
  for (const auto& p : options_.plugins) {
    o << "plugin." << p.kind << "=" << p.name << " " << p.version << "\n";
  }
  return o.str();
}

std::string ZkServer::Cons() {
  std::ostringstream o;
  for (auto& [id, c] : conns_) {
    o << " /" << c->peer << "[1](queued=" << c->pending.size() << ",recved=" << c->recved
      << ",sent=" << c->sent;
    if (c->session_id) {
      o << ",sid=" << Hex(c->session_id) << ",lop=" << c->last_op
        << ",est=" << c->established_wall_ms << ",to=" << c->timeout_ms
        << ",lcxid=" << Hex(c->last_cxid) << ",lzxid=" << Hex(c->last_zxid)
        << ",lresp=" << c->last_response_wall_ms << ",llat=" << c->last_latency
        << ",minlat=" << c->latency.Min() << ",avglat=" << static_cast<int64_t>(c->latency.Avg())
        << ",maxlat=" << c->latency.max;
    }
    o << ")\n";
  }
  o << "\n";
  return o.str();
}

std::string ZkServer::Envi() {
  utsname u{};
  uname(&u);
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  char cwd[4096] = {0};
  if (!getcwd(cwd, sizeof(cwd) - 1)) cwd[0] = 0;
  const char* user = std::getenv("USER");
  const char* home = std::getenv("HOME");
  std::ostringstream o;
  o << "Environment:\n";
  o << "zookeeper.version=" << VersionLine() << "\n";
  o << "host.name=" << host << "\n";
  o << "os.name=" << u.sysname << "\n";
  o << "os.arch=" << u.machine << "\n";
  o << "os.version=" << u.release << "\n";
  o << "user.name=" << (user ? user : "") << "\n";
  o << "user.home=" << (home ? home : "") << "\n";
  o << "user.dir=" << cwd << "\n";
  for (const auto& p : options_.plugins) {
    o << "zknode.plugin." << p.kind << "=" << p.name << " " << p.version << "\n";
  }
  return o.str();
}

std::string ZkServer::Dump() {
  std::ostringstream o;
  o << "SessionTracker dump:\n";
  o << "Global Sessions(" << sessions_.size() << "):\n";
  for (const auto& [id, s] : sessions_.all()) {
    o << Hex(id) << "\t" << s.timeout_ms << "ms\n";
  }
  auto eph = tree_.EphemeralsBySession();
  o << "ephemeral nodes dump:\n";
  o << "Sessions with Ephemerals (" << eph.size() << "):\n";
  for (const auto& [sid, paths] : eph) {
    o << Hex(sid) << ":\n";
    for (const auto& p : paths) o << "\t" << p << "\n";
  }
  o << "Connections dump:\n";
  o << "Connections (" << conns_.size() << "):\n";
  for (auto& [id, c] : conns_) o << "\t/" << c->peer << "\t" << Hex(c->session_id) << "\n";
  return o.str();
}

std::string ZkServer::Dirs() {
  return "datadir_size: " + std::to_string(DirSize(options_.cfg.data_dir)) +
         "\nlogdir_size: " + std::to_string(DirSize(options_.cfg.data_log_dir)) + "\n";
}

std::string ZkServer::Wchs() {
  return std::to_string(watches_.watcher_count()) + " connections watching " +
         std::to_string(watches_.path_count()) + " paths\nTotal watches:" +
         std::to_string(watches_.data_watch_count()) + "\n";
}

std::string ZkServer::Wchc() {
  std::ostringstream o;
  for (const auto& [watcher, paths] : watches_.ByWatcher()) {
    auto it = conns_.find(watcher);
    o << Hex(it == conns_.end() ? 0 : it->second->session_id) << "\n";
    for (const auto& p : paths) o << "\t" << p << "\n";
  }
  o << "\n";
  return o.str();
}

std::string ZkServer::Wchp() {
  std::ostringstream o;
  for (const auto& [path, watchers] : watches_.ByPath()) {
    o << path << "\n";
    for (auto w : watchers) {
      auto it = conns_.find(w);
      o << "\t" << Hex(it == conns_.end() ? 0 : it->second->session_id) << "\n";
    }
  }
  o << "\n";
  return o.str();
}

}  // namespace zk::server
