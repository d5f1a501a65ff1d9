// Which zoo.cfg keys exist. ZooKeeper 3.8 reads a few keys in QuorumPeerConfig.parseProperties
// and turns every other one into the system property `zookeeper.<key>`, so the "known"
// keys are those two sets (zookeeperAdmin.md "Configuration Parameters", and the
// System.getProperty("zookeeper.…") calls of the 3.8 sources).
#include "config/config_keys.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

namespace zk::config::internal {
namespace {

constexpr char kSysPropPrefix[] = "zookeeper.";

// Exact keys, written without the `zookeeper.` system-property prefix.
const std::set<std::string>& UnimplementedKeys() {
  static const std::set<std::string> kKeys = {
      // QuorumPeerConfig.parseProperties
      "secureClientPort",
      "secureClientPortAddress",
      "observerMasterPort",
      "clientPortListenBacklog",
      "localSessionsEnabled",
      "localSessionsUpgradingEnabled",
      "connectToLearnerMasterLimit",
      "electionAlg",
      "quorumListenOnAllIPs",
      "peerType",
      "syncEnabled",
      "reconfigEnabled",
      "sslQuorum",
      "portUnification",
      "sslQuorumReloadCertFiles",
      "quorum.auth.enableSasl",
      "quorum.auth.serverRequireSasl",
      "quorum.auth.learnerRequireSasl",
      "quorum.auth.learner.saslLoginContext",
      "quorum.auth.server.saslLoginContext",
      "quorum.auth.kerberos.servicePrincipal",
      "quorum.cnxn.threads.size",
      "jvm.pause.info-threshold.ms",
      "jvm.pause.warn-threshold.ms",
      "jvm.pause.sleep.time.ms",
      "jvm.pause.monitor",
      "multiAddress.enabled",
      "multiAddress.reachabilityCheckTimeoutMs",
      "multiAddress.reachabilityCheckEnabled",
      "oraclePath",
      "version",
      // zookeeperAdmin.md: advanced, cluster, encryption, authentication, performance
      "globalOutstandingLimit",
      "preAllocSize",
      "snapSizeLimitInKb",
      "txnLogSizeLimitInKb",
      "maxCnxns",
      "commitLogCount",
      "traceFile",
      "leaderServes",
      "cnxTimeout",
      "quorumCnxnTimeoutMs",
      "forceSync",
      "fsync.warningthresholdms",
      "skipACL",
      "digest.enabled",
      "serverCnxnFactory",
      "clientCnxnSocket",
      "readonlymode.enabled",
      "jute.maxbuffer.extrasize",
      "electionPortBindRetry",
      "tcpKeepAlive",
      "clientTcpKeepAlive",
      "client.portUnification",
      "client.certReload",
      "client.secure",
      "observer.reconnectDelayMs",
      "observer.election.DelayMs",
      "observer.syncEnabled",
      "observerMaster.sizeLimit",
      "learner.asyncSending",
      "learner.closeSocketAsync",
      "leader.closeSocketAsync",
      "leader.maxConcurrentSnapSyncs",
      "leader.maxConcurrentDiffSyncs",
      "leader.maxTimeToWaitForEpoch",
      "leader.ackLoggingFrequency",
      "leaderConnectDelayDuringRetryMs",
      "forward_learner_requests_to_commit_processor_disabled",
      "admin.portUnification",
      "admin.forceHttps",
      "admin.needClientAuth",
      "admin.httpVersion",
      "admin.rateLimiterIntervalInMS",
      "admin.snapshot.enabled",
      "admin.restore.enabled",
      "audit.enable",
      "audit.impl.class",
      "DigestAuthenticationProvider.digestAlg",
      "DigestAuthenticationProvider.enabled",
      "SASLAuthenticationProvider.superPassword",
      "X509AuthenticationProvider.superUser",
      "superUser",
      "ensembleAuthName",
      "sessionRequireClientSASLAuth",
      "allowSaslFailedClients",
      "enforce.auth.enabled",
      "enforce.auth.schemes",
      "kerberos.canonicalizeHostNames",
      "kerberos.removeHostFromPrincipal",
      "kerberos.removeRealmFromPrincipal",
      "kerberos.minReLoginTimeMs",
      "requireKerberosConfig",
      "security.auth_to_local",
      "letAnySaslUserDoX",
      "kinit",
      "server.principal",
      "server.realm",
      "sasl.client",
      "sasl.clientconfig",
      "sasl.serverconfig",
      "fips-mode",
      "emulate353TTLNodes",
      "enableEagerACLCheck",
      "enforceQuota",
      "watchManagerName",
      "watcherCleanThreshold",
      "watcherCleanIntervalInSeconds",
      "watcherCleanThreadsNum",
      "maxInProcessingDeadWatchers",
      "bitHashCacheSize",
      "fastleader.minNotificationInterval",
      "fastleader.maxNotificationInterval",
      "connection_throttle_tokens",
      "connection_throttle_fill_time",
      "connection_throttle_fill_count",
      "connection_throttle_freeze_time",
      "connection_throttle_drop_increase",
      "connection_throttle_drop_decrease",
      "connection_throttle_decrease_ratio",
      "connection_throttle_weight_enabled",
      "connection_throttle_global_session_weight",
      "connection_throttle_local_session_weight",
      "connection_throttle_renew_session_weight",
      "request_throttle_max_requests",
      "request_throttle_stall_time",
      "request_throttle_drop_stale",
      "request_stale_latency_check",
      "request_stale_connection_check",
      "request_throttler.shutdownTimeout",
      "throttled_op_wait_time",
      "largeRequestMaxBytes",
      "largeRequestThreshold",
      "maxBatchSize",
      "flushDelay",
      "maxWriteQueuePollTime",
      "maxResponseCacheSize",
      "maxGetChildrenResponseCacheSize",
      "netty.advancedFlowControl.enabled",
      "netty.server.earlyDropSecureConnectionHandshakes",
      "netty.server.outstandingHandshake.limit",
      "nio.numSelectorThreads",
      "nio.numWorkerThreads",
      "nio.directBufferBytes",
      "nio.shutdownTimeout",
      "nio.sessionlessCnxnTimeout",
      "commitProcessor.numWorkerThreads",
      "commitProcessor.shutdownTimeout",
      "commitProcessor.maxReadBatchSize",
      "commitProcessor.maxCommitBatchSize",
      "messageTracker.BufferSize",
      "messageTracker.Enabled",
      "follower.skipLearnerRequestToNextProcessor",
      "snapshot.trust.empty",
      "snapshot.compression.method",
      "snapshotSizeFactor",
      "forceSnapshotSync",
      "intBufferStartingSizeBytes",
      "closeSessionTxn.enabled",
      "request.timeout",
      "datadir.autocreate",
      "db.autocreate",
      "jmx.log4j.disable",
      "znode.container.maxPerMinute",
      "znode.container.maxNeverUsedIntervalMs",
      "pathStats.enabled",
      "pathStats.sampleRate",
      "pathStats.delay",
      "pathStats.initialDelay",
      "pathStats.maxDepth",
      "pathStats.slotCapacity",
      "pathStats.slotDuration",
      "pathStats.topPathMax",
      // ssl.* and ssl.quorum.* (zookeeperAdmin.md "Encryption, Authentication, Authorization")
      "ssl.keyStore.location",
      "ssl.keyStore.password",
      "ssl.keyStore.passwordPath",
      "ssl.keyStore.type",
      "ssl.trustStore.location",
      "ssl.trustStore.password",
      "ssl.trustStore.passwordPath",
      "ssl.trustStore.type",
      "ssl.protocol",
      "ssl.enabledProtocols",
      "ssl.ciphersuites",
      "ssl.context.supplier.class",
      "ssl.hostnameVerification",
      "ssl.allowReverseDnsLookup",
      "ssl.crl",
      "ssl.ocsp",
      "ssl.clientAuth",
      "ssl.handshakeDetectionTimeoutMillis",
      "ssl.authProvider",
      "ssl.quorum.keyStore.location",
      "ssl.quorum.keyStore.password",
      "ssl.quorum.keyStore.passwordPath",
      "ssl.quorum.keyStore.type",
      "ssl.quorum.trustStore.location",
      "ssl.quorum.trustStore.password",
      "ssl.quorum.trustStore.passwordPath",
      "ssl.quorum.trustStore.type",
      "ssl.quorum.protocol",
      "ssl.quorum.enabledProtocols",
      "ssl.quorum.ciphersuites",
      "ssl.quorum.context.supplier.class",
      "ssl.quorum.hostnameVerification",
      "ssl.quorum.allowReverseDnsLookup",
      "ssl.quorum.crl",
      "ssl.quorum.ocsp",
      "ssl.quorum.clientAuth",
      "ssl.quorum.handshakeDetectionTimeoutMillis",
  };
  return kKeys;
}

// Families whose members are open-ended: authProvider.<n>=<class>, metricsProvider.<any>.
const std::vector<std::string>& UnimplementedPrefixes() {
  static const std::vector<std::string> kPrefixes = {"authProvider.", "metricsProvider."};
  return kPrefixes;
}

std::string StripSysPropPrefix(const std::string& key) {
  const std::string prefix = kSysPropPrefix;
  return key.rfind(prefix, 0) == 0 ? key.substr(prefix.size()) : key;
}

char Fold(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

const std::vector<std::string>& ImplementedKeys() {
  static const std::vector<std::string> kKeys = {
      "tickTime",
      "initLimit",
      "syncLimit",
      "dataDir",
      "dataLogDir",
      "clientPort",
      "clientPortAddress",
      "maxClientCnxns",
      "minSessionTimeout",
      "maxSessionTimeout",
      "jute.maxbuffer",
      "4lw.commands.whitelist",
      "snapCount",
      "autopurge.snapRetainCount",
      "autopurge.purgeInterval",
      "admin.enableServer",
      "admin.serverAddress",
      "admin.serverPort",
      "admin.commandURL",
      "admin.idleTimeout",
      "extendedTypesEnabled",
      "zookeeper.extendedTypesEnabled",
      "DigestAuthenticationProvider.superDigest",
      "znode.container.checkIntervalMs",
      "standaloneEnabled",
      "plugin.dir",
      "plugin.transport",
      "plugin.storage",
      "plugin.election",
  };
  return kKeys;
}

bool IsUnimplementedZooKeeperKey(const std::string& key) {
  const std::string bare = StripSysPropPrefix(key);
  if (UnimplementedKeys().count(bare) > 0) return true;
  for (const std::string& prefix : UnimplementedPrefixes()) {
    if (bare.size() > prefix.size() && bare.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

bool IsRefusedZooKeeperKey(const std::string& key, std::string* why) {
  if (key == "dynamicConfigFile") {
    *why =
        "zknode does not read a dynamic config file (reconfig is not implemented); put the "
        "server.X lines in this file instead";
    return true;
  }
  if ((key.rfind("group.", 0) == 0 && key.size() > 6) ||
      (key.rfind("weight.", 0) == 0 && key.size() > 7)) {
    *why =
        "zknode does not implement hierarchical quorums (group.X/weight.X); ignoring the key "
        "would change which servers form a majority";
    return true;
  }
  return false;
}

int EditDistance(const std::string& a, const std::string& b) {
  const size_t n = a.size();
  const size_t m = b.size();
  // Three rows of the optimal-string-alignment table.
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= m; ++j) {
      const int cost = Fold(a[i - 1]) == Fold(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && Fold(a[i - 1]) == Fold(b[j - 2]) && Fold(a[i - 2]) == Fold(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[m];
}

std::string Closest(const std::string& word, const std::vector<std::string>& candidates) {
  // A typo is a few edits: 1 for short words, up to 3 for long ones, and never most of
  // the word.
  const int len = static_cast<int>(word.size());
  const int limit = len <= 4 ? 1 : len <= 9 ? 2 : 3;
  std::string best;
  int best_distance = limit + 1;
  for (const std::string& c : candidates) {
    // The distance is at least the difference in length: skip the table when that is too far.
    if (std::abs(static_cast<int>(c.size()) - len) >= best_distance) continue;
    const int d = EditDistance(word, c);
    if (d < best_distance && d < len) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string SuggestKey(const std::string& key) {
  // `zookeeper.snapCount` in zoo.cfg becomes the system property zookeeper.zookeeper.snapCount,
  // which nothing reads: the key without the prefix was meant.
  const std::string bare = StripSysPropPrefix(key);
  if (bare != key) {
    const auto& implemented = ImplementedKeys();
    if (std::find(implemented.begin(), implemented.end(), bare) != implemented.end()) {
      return bare;
    }
  }
  std::vector<std::string> candidates = ImplementedKeys();
  candidates.insert(candidates.end(), UnimplementedKeys().begin(), UnimplementedKeys().end());
  std::string best = Closest(key, candidates);
  if (!best.empty()) return best;
  // A plugin key with a misspelt kind: storge.sqlite.x -> storage.sqlite.x.
  const size_t dot = key.find('.');
  if (dot != std::string::npos && key.find('.', dot + 1) != std::string::npos) {
    std::string kind = Closest(key.substr(0, dot), {"transport", "storage", "election"});
    if (!kind.empty()) return kind + key.substr(dot);
  }
  return "";
}

}  // namespace zk::config::internal
