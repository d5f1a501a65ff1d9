// Replies captured from real servers for the `zkops status` unit tests: Apache ZooKeeper
// 3.8.0 (Debian 3.8.0-11+deb12u2) in a 3-server ensemble and standalone with its AdminServer,
// and zknode 0.1.0 (raft election). mntr texts keep the keys status reads and drop the
// hundreds of counters in between.
#pragma once

namespace zkops::status::replies {

// Apache leader of a fresh 3-server ensemble (tickTime 1000).
inline constexpr const char* kApacheLeaderSrvr =
    "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
    "Latency min/avg/max: 0/0.0/0\n"
    "Received: 7\n"
    "Sent: 10\n"
    "Connections: 1\n"
    "Outstanding: 0\n"
    "Zxid: 0x100000000\n"
    "Mode: leader\n"
    "Node count: 5\n"
    "Proposal sizes last/min/max: -1/-1/-1\n";

// A follower of the same ensemble: right after the election it still shows 0x0.
inline constexpr const char* kApacheFollowerSrvr =
    "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
    "Latency min/avg/max: 0/0.0/0\n"
    "Received: 7\n"
    "Sent: 10\n"
    "Connections: 1\n"
    "Outstanding: 0\n"
    "Zxid: 0x0\n"
    "Mode: follower\n"
    "Node count: 5\n";

inline constexpr const char* kApacheLeaderMntr =
    "zk_version\t3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
    "zk_server_state\tleader\n"
    "zk_peer_state\tleading - broadcast\n"
    "zk_num_alive_connections\t1\n"
    "zk_outstanding_requests\t0\n"
    "zk_avg_latency\t0.0\n"
    "zk_znode_count\t5\n"
    "zk_min_latency\t0\n"
    "zk_pending_syncs\t0\n"
    "zk_uptime\t2339\n"
    "zk_max_latency\t0\n"
    "zk_learners\t2\n"
    "zk_quorum_size\t3\n"
    "zk_avg_fsynctime\t0.0\n"
    "zk_p999_readlatency\t0\n";

inline constexpr const char* kApacheLeaderConf =
    "clientPort=58529\n"
    "secureClientPort=-1\n"
    "dataDir=/tmp/tmp3_qc6dvc/server3/data/version-2\n"
    "dataDirSize=597\n"
    "dataLogDir=/tmp/tmp3_qc6dvc/server3/data/version-2\n"
    "dataLogSize=597\n"
    "tickTime=1000\n"
    "maxClientCnxns=60\n"
    "minSessionTimeout=2000\n"
    "maxSessionTimeout=20000\n"
    "clientPortListenBacklog=-1\n"
    "serverId=3\n"
    "initLimit=10\n"
    "syncLimit=5\n"
    "electionAlg=3\n"
    "electionPort=36471\n"
    "quorumPort=49309\n"
    "peerType=0\n"
    "membership: \n"
    "server.1=127.0.0.1:51445:51381:participant\n"
    "server.2=127.0.0.1:50641:53969:participant\n"
    "server.3=127.0.0.1:49309:36471:participant\n"
    "version=0\n";

// Apache standalone, AdminServer GET /commands/srvr (Jackson, INDENT_OUTPUT, SNAKE_CASE).
inline constexpr const char* kApacheAdminSrvr = R"({
  "version" : "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC",
  "read_only" : false,
  "server_stats" : {
    "packets_sent" : 1,
    "packets_received" : 1,
    "fsync_threshold_exceed_count" : 0,
    "client_response_stats" : {
      "last_buffer_size" : -1,
      "min_buffer_size" : -1,
      "max_buffer_size" : -1
    },
    "data_dir_size" : 457,
    "log_dir_size" : 457,
    "provider_null" : false,
    "server_state" : "standalone",
    "last_processed_zxid" : 0,
    "outstanding_requests" : 0,
    "avg_latency" : 0.0,
    "max_latency" : 0,
    "min_latency" : 0,
    "num_alive_client_connections" : 0,
    "auth_failed_count" : 0,
    "non_mtlsremote_conn_count" : 0,
    "non_mtlslocal_conn_count" : 0,
    "uptime" : 593
  },
  "client_response" : {
    "last_buffer_size" : -1,
    "min_buffer_size" : -1,
    "max_buffer_size" : -1
  },
  "node_count" : 5,
  "command" : "server_stats",
  "error" : null
})";

// Apache standalone, GET /commands/mntr (trimmed).
inline constexpr const char* kApacheAdminMntr = R"({
  "version" : "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC",
  "server_state" : "standalone",
  "ephemerals_count" : 0,
  "num_alive_connections" : 0,
  "avg_latency" : 0.0,
  "outstanding_requests" : 0,
  "znode_count" : 5,
  "global_sessions" : 0,
  "min_latency" : 0,
  "max_latency" : 0,
  "approximate_data_size" : 44,
  "command" : "monitor",
  "error" : null
})";

// zknode leader of a 3-server ensemble (raft election).
inline constexpr const char* kZknodeLeaderSrvr =
    "Zookeeper version: 3.8.0-zknode-0.1.0, built on Nov 25 2026 19:14:57\n"
    "Latency min/avg/max: 0/0.0/0\n"
    "Received: 9\n"
    "Sent: 8\n"
    "Connections: 1\n"
    "Outstanding: 0\n"
    "Zxid: 0x0\n"
    "Mode: leader\n"
    "Node count: 5\n"
    "Proposal sizes last/min/max: -1/-1/-1\n";

inline constexpr const char* kZknodeLeaderMntr =
    "zk_version\t3.8.0-zknode-0.1.0, built on Nov 25 2026 19:14:57\n"
    "zk_server_state\tleader\n"
    "zk_peer_state\tleading - broadcast\n"
    "zk_avg_latency\t0.0\n"
    "zk_max_latency\t0\n"
    "zk_min_latency\t0\n"
    "zk_packets_received\t10\n"
    "zk_packets_sent\t9\n"
    "zk_num_alive_connections\t1\n"
    "zk_outstanding_requests\t0\n"
    "zk_uptime\t2460\n"
    "zk_znode_count\t5\n"
    "zk_watch_count\t0\n"
    "zk_ephemerals_count\t0\n"
    "zk_approximate_data_size\t44\n"
    "zk_open_file_descriptor_count\t26\n"
    "zk_max_file_descriptor_count\t20000\n"
    "zk_global_sessions\t0\n"
    "zk_local_sessions\t0\n"
    "zk_quorum_size\t3\n"
    "zk_learners\t2\n"
    "zk_synced_followers\t2\n"
    "zk_synced_non_voting_followers\t0\n"
    "zk_synced_observers\t0\n"
    "zk_pending_syncs\t0\n"
    "zk_last_proposal_size\t-1\n"
    "zk_min_proposal_size\t-1\n"
    "zk_max_proposal_size\t-1\n"
    "zk_plugin_transport\ttcp 0.1.0\n"
    "zk_plugin_storage\tsqlite 0.1.0\n"
    "zk_plugin_election\traft 0.1.0\n";

inline constexpr const char* kZknodeLeaderConf =
    "clientPort=40533\n"
    "secureClientPort=-1\n"
    "dataDir=/tmp/tmp4137bt9g/server1/data\n"
    "dataDirSize=37090\n"
    "dataLogDir=/tmp/tmp4137bt9g/server1/data\n"
    "dataLogSize=37090\n"
    "tickTime=1000\n"
    "maxClientCnxns=60\n"
    "minSessionTimeout=2000\n"
    "maxSessionTimeout=20000\n"
    "clientPortListenBacklog=-1\n"
    "serverId=1\n"
    "initLimit=10\n"
    "syncLimit=5\n"
    "electionAlg=3\n"
    "electionPort=43213\n"
    "quorumPort=33675\n"
    "peerType=0\n"
    "membership: \n"
    "server.1=127.0.0.1:33675:43213:participant\n"
    "server.2=127.0.0.1:55073:50885:participant\n"
    "server.3=127.0.0.1:60789:57945:participant\n"
    "version=0\n"
    "plugin.transport=tcp 0.1.0\n"
    "plugin.storage=sqlite 0.1.0\n"
    "plugin.election=raft 0.1.0\n";

// zknode standalone, AdminServer: the srvr lines as string members.
inline constexpr const char* kZknodeAdminSrvr = R"({
  "Connections": "0",
  "Latency min/avg/max": "0/0.0/0",
  "Mode": "standalone",
  "Node count": "5",
  "Outstanding": "0",
  "Received": "1",
  "Sent": "1",
  "Zookeeper version": "3.8.0-zknode-0.1.0, built on Nov 25 2026 19:14:57",
  "Zxid": "0x0",
  "command": "srvr",
  "error": null
})";

inline constexpr const char* kZknodeAdminMntr = R"({
  "approximate_data_size": "44",
  "avg_latency": "0.0",
  "command": "mntr",
  "error": null,
  "max_latency": "0",
  "min_latency": "0",
  "num_alive_connections": "0",
  "outstanding_requests": "0",
  "plugin_election": "standalone 0.1.0",
  "plugin_storage": "sqlite 0.1.0",
  "plugin_transport": "tcp 0.1.0",
  "server_state": "standalone",
  "version": "3.8.0-zknode-0.1.0, built on Nov 25 2026 19:14:57",
  "znode_count": "5"
})";

inline constexpr const char* kNotServing =
    "This ZooKeeper instance is not currently serving requests\n";
inline constexpr const char* kSrvrDenied =
    "srvr is not executed because it is not in the whitelist.\n";
inline constexpr const char* kMntrDenied =
    "mntr is not executed because it is not in the whitelist.\n";
inline constexpr const char* kConfDenied =
    "conf is not executed because it is not in the whitelist.\n";

}  // namespace zkops::status::replies
