// ParseZooConfig: every key, both server forms, unknown and unimplemented keys, bad values.
#include "config/zoo_cfg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace zk::config {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::MustParse;
using ::testing::Not;
using testing::ParseError;
using ::testing::StartsWith;

// The seed's single server (seed/000, "zookeeper-3.4.6/conf/zoo.cfg" before the edit).
constexpr char kSeedSingle[] =
    "tickTime=2000\n"
    "initLimit=10\n"
    "syncLimit=5\n"
    "dataDir=/tmp/zookeeper0\n"
    "dataLogDir=/tmp/zookeeper0\n"
    "clientPort=2180\n";

constexpr char kSeedPseudoCluster[] =
    "tickTime=2000\n"
    "initLimit=10\n"
    "syncLimit=5\n"
    "dataDir=/tmp/zookeeper1\n"
    "dataLogDir=/tmp/zookeeper1\n"
    "clientPort=2181\n"
    "server.0=127.0.0.1:8000:8100\n"
    "server.1=127.0.0.1:8001:8101\n"
    "server.2=127.0.0.1:8002:8102\n";

constexpr char kSeedMultiHost[] =
    "tickTime=2000\n"
    "initLimit=10\n"
    "syncLimit=5\n"
    "dataDir=/tmp/zookeeper101\n"
    "dataLogDir=/tmp/zookeeper101\n"
    "clientPort=2180\n"
    "server.101=192.168.100.101:8000:8100\n"
    "server.102=192.168.100.102:8000:8100\n"
    "server.202=192.168.100.202:8000:8100\n";

// A valid three-server ensemble to which a test appends lines.
constexpr char kEnsemble[] =
    "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/var/zk\nclientPort=2181\n"
    "server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888\nserver.3=10.0.0.3:2888:3888\n";

TEST(ZooCfgTest, SeedSingleServer) {
  ZooConfig cfg = MustParse(kSeedSingle, "/root/zk/zookeeper-3.4.6/conf/zoo.cfg");
  EXPECT_EQ(cfg.file, "/root/zk/zookeeper-3.4.6/conf/zoo.cfg");
  EXPECT_EQ(cfg.tick_time, 2000);
  EXPECT_EQ(cfg.init_limit, 10);
  EXPECT_EQ(cfg.sync_limit, 5);
  EXPECT_EQ(cfg.data_dir, "/tmp/zookeeper0");
  EXPECT_EQ(cfg.data_log_dir, "/tmp/zookeeper0");
  EXPECT_EQ(cfg.client_port, 2180);
  EXPECT_EQ(cfg.client_port_address, "");
  EXPECT_EQ(cfg.min_session_timeout, 4000);
  EXPECT_EQ(cfg.max_session_timeout, 40000);
  EXPECT_TRUE(cfg.servers.empty());
  EXPECT_FALSE(cfg.distributed());
  EXPECT_EQ(cfg.plugin_election, "standalone");
  EXPECT_EQ(cfg.plugin_transport, "tcp");
  EXPECT_EQ(cfg.plugin_storage, "sqlite");
  EXPECT_THAT(cfg.warnings, IsEmpty());
  EXPECT_EQ(cfg.properties.size(), 6u);
  EXPECT_EQ(cfg.properties[5].key, "clientPort");
  EXPECT_EQ(cfg.properties[5].line, 6);
}

TEST(ZooCfgTest, SeedPseudoCluster) {
  ZooConfig cfg = MustParse(kSeedPseudoCluster);
  ASSERT_EQ(cfg.servers.size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) {
    const ServerLine& s = cfg.servers[i];
    EXPECT_EQ(s.id, i);  // id 0 is legal here, unlike ZooKeeper's documented 1-255
    EXPECT_EQ(s.host, "127.0.0.1");
    EXPECT_EQ(s.quorum_port, 8000 + i);
    EXPECT_EQ(s.election_port, 8100 + i);
    EXPECT_FALSE(s.observer);
    EXPECT_EQ(s.client_port, 0);
    EXPECT_EQ(s.line, static_cast<int>(7 + i));
  }
  EXPECT_TRUE(cfg.distributed());
  EXPECT_EQ(cfg.participants(), 3);
  EXPECT_EQ(cfg.plugin_election, "raft");
  EXPECT_THAT(cfg.warnings, IsEmpty());
}

TEST(ZooCfgTest, SeedMultiHost) {
  ZooConfig cfg = MustParse(kSeedMultiHost);
  ASSERT_EQ(cfg.servers.size(), 3u);
  EXPECT_EQ(cfg.servers[0].id, 101u);
  EXPECT_EQ(cfg.servers[1].id, 102u);
  EXPECT_EQ(cfg.servers[2].id, 202u);
  EXPECT_EQ(cfg.servers[2].host, "192.168.100.202");
  EXPECT_EQ(cfg.servers[2].quorum_port, 8000);
  EXPECT_EQ(cfg.servers[2].election_port, 8100);
  EXPECT_TRUE(cfg.distributed());
}

TEST(ZooCfgTest, DefaultsWhenKeysAreAbsent) {
  ZooConfig cfg = MustParse("");
  EXPECT_EQ(cfg.tick_time, 3000);
  EXPECT_EQ(cfg.min_session_timeout, 6000);
  EXPECT_EQ(cfg.max_session_timeout, 60000);
  EXPECT_EQ(cfg.max_client_cnxns, 60);
  EXPECT_EQ(cfg.snap_count, 100000);
  EXPECT_EQ(cfg.jute_max_buffer, 0xfffff);
  EXPECT_EQ(cfg.autopurge_snap_retain_count, 3);
  EXPECT_EQ(cfg.autopurge_purge_interval, 0);
  EXPECT_EQ(cfg.four_letter_words, std::set<std::string>{"srvr"});
  EXPECT_FALSE(cfg.extended_types_enabled);
  EXPECT_TRUE(cfg.standalone_enabled);
  EXPECT_TRUE(cfg.admin_enable_server);
  EXPECT_EQ(cfg.admin_server_address, "0.0.0.0");
  EXPECT_EQ(cfg.admin_server_port, 8080);
  EXPECT_EQ(cfg.admin_command_url, "/commands");
  EXPECT_EQ(cfg.admin_idle_timeout, 30000);
  EXPECT_EQ(cfg.plugin_dir, "");
  EXPECT_EQ(cfg.data_dir, "");  // required only by LoadZooConfig
  EXPECT_EQ(cfg.client_port, 0);
}

TEST(ZooCfgTest, EveryImplementedKey) {
  ZooConfig cfg = MustParse(
      "tickTime=500\n"
      "initLimit=7\n"
      "syncLimit=3\n"
      "dataDir=/data/zk\n"
      "dataLogDir=/log/zk\n"
      "clientPort=12181\n"
      "clientPortAddress=127.0.0.1\n"
      "maxClientCnxns=0\n"
      "minSessionTimeout=1500\n"
      "maxSessionTimeout=90000\n"
      "jute.maxbuffer=0x200000\n"
      "4lw.commands.whitelist=ruok, mntr ,conf\n"
      "snapCount=5000\n"
      "autopurge.snapRetainCount=5\n"
      "autopurge.purgeInterval=24\n"
      "admin.enableServer=FALSE\n"
      "admin.serverAddress=127.0.0.1\n"
      "admin.serverPort=0\n"
      "admin.commandURL=/cmd\n"
      "admin.idleTimeout=1000\n"
      "extendedTypesEnabled=true\n"
      "standaloneEnabled=false\n"
      "server.1=127.0.0.1:2888:3888\n"
      "plugin.dir=/opt/zkops/plugins\n"
      "plugin.transport=inproc\n"
      "plugin.storage=memory\n"
      "plugin.election=standalone\n"
      "election.raft.electionTimeoutMs=1500\n"
      "storage.memory.allowEnsemble=true\n"
      "transport.tls.cert.file=/etc/cert.pem\n");
  EXPECT_EQ(cfg.tick_time, 500);
  EXPECT_EQ(cfg.init_limit, 7);
  EXPECT_EQ(cfg.sync_limit, 3);
  EXPECT_EQ(cfg.data_dir, "/data/zk");
  EXPECT_EQ(cfg.data_log_dir, "/log/zk");
  EXPECT_EQ(cfg.client_port, 12181);
  EXPECT_EQ(cfg.client_port_address, "127.0.0.1");
  EXPECT_EQ(cfg.max_client_cnxns, 0);
  EXPECT_EQ(cfg.min_session_timeout, 1500);
  EXPECT_EQ(cfg.max_session_timeout, 90000);
  EXPECT_EQ(cfg.jute_max_buffer, 0x200000);
  EXPECT_EQ(cfg.four_letter_words, (std::set<std::string>{"conf", "mntr", "ruok", "srvr"}));
  EXPECT_TRUE(cfg.FourLetterWordEnabled("mntr"));
  EXPECT_FALSE(cfg.FourLetterWordEnabled("stat"));
  EXPECT_EQ(cfg.snap_count, 5000);
  EXPECT_EQ(cfg.autopurge_snap_retain_count, 5);
  EXPECT_EQ(cfg.autopurge_purge_interval, 24);
  EXPECT_FALSE(cfg.admin_enable_server);
  EXPECT_EQ(cfg.admin_server_address, "127.0.0.1");
  EXPECT_EQ(cfg.admin_server_port, 0);
  EXPECT_EQ(cfg.admin_command_url, "/cmd");
  EXPECT_EQ(cfg.admin_idle_timeout, 1000);
  EXPECT_TRUE(cfg.extended_types_enabled);
  EXPECT_FALSE(cfg.standalone_enabled);
  // standaloneEnabled=false: one server is an ensemble of one (QuorumPeerConfig.isDistributed).
  EXPECT_TRUE(cfg.distributed());
  EXPECT_EQ(cfg.plugin_dir, "/opt/zkops/plugins");
  EXPECT_EQ(cfg.plugin_transport, "inproc");
  EXPECT_EQ(cfg.plugin_storage, "memory");
  EXPECT_EQ(cfg.plugin_election, "standalone");  // explicit wins over the default
  ASSERT_EQ(cfg.plugin_keys.size(), 3u);
  EXPECT_EQ(cfg.plugin_keys.at("election.raft.electionTimeoutMs").value, "1500");
  EXPECT_EQ(cfg.plugin_keys.at("election.raft.electionTimeoutMs").line, 28);
  EXPECT_EQ(cfg.plugin_keys.at("transport.tls.cert.file").value, "/etc/cert.pem");
  // QuorumPeerConfig warns about an ensemble of fewer than three voters; nothing else.
  EXPECT_THAT(cfg.warnings, ElementsAre(HasSubstr("no server failure will be tolerated")));
}

TEST(ZooCfgTest, KeysAndValuesAreTrimmedAsQuorumPeerConfigDoes) {
  ZooConfig cfg = MustParse("   tickTime =  2500   \nclientPort:2182\t\ndataDir /x y \n");
  EXPECT_EQ(cfg.tick_time, 2500);
  EXPECT_EQ(cfg.client_port, 2182);
  EXPECT_EQ(cfg.data_dir, "/x y");
}

TEST(ZooCfgTest, FourLetterWordWhitelist) {
  ZooConfig all = MustParse("4lw.commands.whitelist=stat, *\n");
  EXPECT_EQ(all.four_letter_words.size(), KnownFourLetterWords().size());
  for (const char* w : {"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro",
                        "mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs"}) {
    EXPECT_TRUE(all.FourLetterWordEnabled(w)) << w;
  }
  // srvr is always on, even when the list leaves it out or is empty.
  EXPECT_EQ(MustParse("4lw.commands.whitelist=\n").four_letter_words,
            std::set<std::string>{"srvr"});
  ZooConfig typo = MustParse("4lw.commands.whitelist=ruok,mntrr\n");
  EXPECT_EQ(typo.four_letter_words, (std::set<std::string>{"ruok", "srvr"}));
  EXPECT_THAT(typo.warnings, ElementsAre(AllOf(HasSubstr("/etc/zoo.cfg:1"), HasSubstr("'mntrr'"),
                                               HasSubstr("did you mean 'mntr'?"))));
}

TEST(ZooCfgTest, SystemPropertyKeysUseIntegerDecode) {
  // jute.maxbuffer, snapCount and admin.* are read with Integer.getInteger (Integer.decode).
  EXPECT_EQ(MustParse("jute.maxbuffer=#ff\n").jute_max_buffer, 255);
  EXPECT_EQ(MustParse("jute.maxbuffer=010\n").jute_max_buffer, 8);
  EXPECT_EQ(MustParse("snapCount=0x10\n").snap_count, 16);
  EXPECT_EQ(MustParse("admin.serverPort=0x1F90\n").admin_server_port, 8080);
  // QuorumPeerConfig keys use Integer.parseInt: no hex.
  EXPECT_THAT(ParseError("tickTime=0x10\n"), HasSubstr("is not a number"));
}

TEST(ZooCfgTest, ExtendedTypesUnderEitherName) {
  EXPECT_TRUE(MustParse("zookeeper.extendedTypesEnabled=true\n").extended_types_enabled);
  EXPECT_TRUE(MustParse("extendedTypesEnabled=True\n").extended_types_enabled);
  EXPECT_FALSE(MustParse("extendedTypesEnabled=true\nzookeeper.extendedTypesEnabled=false\n")
                   .extended_types_enabled);
}

TEST(ZooCfgTest, SmallRetentionIsRaisedWithAWarning) {
  ZooConfig cfg = MustParse("autopurge.snapRetainCount=1\nsnapCount=1\n");
  EXPECT_EQ(cfg.autopurge_snap_retain_count, 3);
  EXPECT_EQ(cfg.snap_count, 2);
  EXPECT_THAT(cfg.warnings,
              Contains(AllOf(HasSubstr("/etc/zoo.cfg:1"), HasSubstr("autopurge.snapRetainCount"),
                             HasSubstr("using 3"))));
  EXPECT_THAT(cfg.warnings, Contains(AllOf(HasSubstr("/etc/zoo.cfg:2"), HasSubstr("using 2"))));
}

TEST(ZooCfgTest, SessionTimeouts) {
  ZooConfig cfg = MustParse("tickTime=1000\nminSessionTimeout=-1\nmaxSessionTimeout=5000\n");
  EXPECT_EQ(cfg.min_session_timeout, 2000);
  EXPECT_EQ(cfg.max_session_timeout, 5000);
  EXPECT_THAT(ParseError("minSessionTimeout=9000\nmaxSessionTimeout=8000\n"),
              AllOf(HasSubstr("/etc/zoo.cfg:1"),
                    HasSubstr("minSessionTimeout 9000 must not be larger than maxSessionTimeout "
                              "8000")));
  // The unset one defaults from tickTime: 20 x 2000 = 40000 < 50000.
  EXPECT_THAT(ParseError("tickTime=2000\nminSessionTimeout=50000\n"),
              AllOf(HasSubstr("maxSessionTimeout 40000"), HasSubstr("20 x tickTime 2000")));
  EXPECT_THAT(ParseError("minSessionTimeout=-2\n"), HasSubstr("out of range"));
}

TEST(ZooCfgTest, ServerLine34Form) {
  ZooConfig cfg = MustParse(kEnsemble);
  ASSERT_EQ(cfg.servers.size(), 3u);
  EXPECT_EQ(cfg.servers[1].id, 2u);
  EXPECT_EQ(cfg.servers[1].host, "10.0.0.2");
  EXPECT_EQ(cfg.servers[1].quorum_port, 2888);
  EXPECT_EQ(cfg.servers[1].election_port, 3888);
  EXPECT_EQ(cfg.servers[1].client_address, "");
  EXPECT_EQ(cfg.servers[1].client_port, 0);
}

TEST(ZooCfgTest, ServerLine35Form) {
  ZooConfig cfg = MustParse(
      "initLimit=5\nsyncLimit=2\n"
      "server.1=zk1.example.com:2888:3888:participant;2181\n"
      "server.2=zk2.example.com:2888:3888;127.0.0.1:2182\n"
      "server.3=[::1]:2889:3889: Observer ;[::1]:2183\n"
      "server.4=[2001:db8::4]:2888:3888:participant\n"
      "server.5=zk5:2888:3888;\n");
  ASSERT_EQ(cfg.servers.size(), 5u);
  EXPECT_EQ(cfg.servers[0].host, "zk1.example.com");
  EXPECT_FALSE(cfg.servers[0].observer);
  EXPECT_EQ(cfg.servers[0].client_address, "");
  EXPECT_EQ(cfg.servers[0].client_port, 2181);
  EXPECT_EQ(cfg.servers[1].client_address, "127.0.0.1");
  EXPECT_EQ(cfg.servers[1].client_port, 2182);
  EXPECT_EQ(cfg.servers[2].host, "::1");
  EXPECT_EQ(cfg.servers[2].quorum_port, 2889);
  EXPECT_EQ(cfg.servers[2].election_port, 3889);
  EXPECT_TRUE(cfg.servers[2].observer);
  EXPECT_EQ(cfg.servers[2].client_address, "::1");
  EXPECT_EQ(cfg.servers[2].client_port, 2183);
  EXPECT_EQ(cfg.servers[3].host, "2001:db8::4");
  EXPECT_EQ(cfg.servers[3].election_port, 3888);
  // A trailing ';' is dropped, as Java's String.split drops trailing empty strings.
  EXPECT_EQ(cfg.servers[4].client_port, 0);
  EXPECT_EQ(cfg.participants(), 4);
  EXPECT_TRUE(cfg.distributed());
  EXPECT_THAT(cfg.warnings, Contains(HasSubstr("consider an odd number")));
}

TEST(ZooCfgTest, BadServerLinesNameFileLineKeyAndValue) {
  const std::string base = "initLimit=5\nsyncLimit=2\n";
  struct Case {
    std::string line;
    std::string want;
  } cases[] = {
      {"server.1=10.0.0.1:2888", "does not have the form host:quorumPort:electionPort"},
      {"server.1=10.0.0.1:2888:3888:participant:x", "does not have the form"},
      {"server.1=10.0.0.1", "does not have the form"},
      {"server.1=", "does not have the form"},
      {"server.1=:2888:3888", "the host is empty"},
      {"server.1=h:abc:3888", "quorum port 'abc', not a port"},
      {"server.1=h:2888:70000", "election port '70000', not a port"},
      {"server.1=h:0:3888", "quorum port '0', not a port"},
      {"server.1=h:2888:2888", "uses port 2888 for both quorum and election"},
      {"server.1=h:2888:3888:leader", "role 'leader'; the role is 'participant' or 'observer'"},
      {"server.1=h:2888:3888;2181;2182", "does not have the form"},
      {"server.1=h:2888:3888;a:b:2181", "does not have the form"},
      {"server.1=h:2888:3888;port", "client port 'port', not a port"},
      {"server.1=h:2888:3888;h:", "client port 'h', not a port"},
      {"server.1=[::1:2888:3888", "starts with '[' but has no matching ']'"},
      {"server.1=[::1]2888:3888", "needs ':port' after ']'"},
      {"server.1=a:2888:3888|b:2888:3888", "multiAddress feature is not implemented"},
      {"server.x=h:2888:3888", "server id 'x' is not a number"},
      {"server.-1=h:2888:3888", "server id '-1' is not a number"},
      {"server.=h:2888:3888", "server id '' is not a number"},
  };
  for (const Case& c : cases) {
    const std::string message = ParseError(base + c.line + "\n");
    const std::string key = c.line.substr(0, c.line.find('='));
    EXPECT_THAT(message, HasSubstr("/etc/zoo.cfg:3: key '" + key + "'")) << c.line;
    EXPECT_THAT(message, HasSubstr(c.want)) << c.line;
    if (c.want.find("server id") == std::string::npos) {
      EXPECT_THAT(message, HasSubstr("value '" + c.line.substr(key.size() + 1) + "'")) << c.line;
    }
  }
}

TEST(ZooCfgTest, DuplicateServerLinesAreAnErrorNamingBothLines) {
  // java.util.Properties would keep only the second: one voter, silently standalone.
  std::string m = ParseError(
      "server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888\nserver.1=10.0.0.3:2888:3888\n");
  EXPECT_THAT(m,
              HasSubstr("/etc/zoo.cfg:3: key 'server.1': server 1 is already defined on line 1"));
  EXPECT_THAT(m, HasSubstr("'server.1=10.0.0.1:2888:3888'"));
  // Different keys, same id (Long.parseLong("01") == 1).
  m = ParseError("server.1=10.0.0.1:2888:3888\nserver.01=10.0.0.3:2888:3888\n");
  EXPECT_THAT(m, HasSubstr("/etc/zoo.cfg:2: key 'server.01': server 1 is already defined on "
                           "line 1"));
}

TEST(ZooCfgTest, TwoServersOnOneHostPortIsAnError) {
  std::string m = ParseError(
      "initLimit=5\nsyncLimit=2\n"
      "server.0=127.0.0.1:8000:8100\nserver.1=127.0.0.1:8001:8000\n");
  EXPECT_THAT(m, HasSubstr("/etc/zoo.cfg:4: key 'server.1': election port 127.0.0.1:8000 is "
                           "already the quorum port of server.0 (line 3)"));
  // The same ports on different hosts are fine (the seed's multi-host layout).
  MustParse(kSeedMultiHost);
}

TEST(ZooCfgTest, DistributedModeNeedsInitAndSyncLimit) {
  const std::string servers =
      "server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888\nserver.3=10.0.0.3:2888:3888\n";
  EXPECT_THAT(ParseError("syncLimit=5\n" + servers),
              HasSubstr("/etc/zoo.cfg: initLimit is not set"));
  EXPECT_THAT(ParseError("initLimit=5\n" + servers),
              HasSubstr("/etc/zoo.cfg: syncLimit is not set"));
  EXPECT_THAT(ParseError("initLimit=0\nsyncLimit=5\n" + servers),
              HasSubstr("/etc/zoo.cfg:1: key 'initLimit': initLimit must be > 0"));
  // Standalone needs neither.
  MustParse("tickTime=2000\ndataDir=/d\nclientPort=2181\n");
}

TEST(ZooCfgTest, ParticipantsObserversAndStandaloneEnabled) {
  // One participant with standaloneEnabled=true: ZooKeeper ignores the line and runs standalone.
  ZooConfig one = MustParse("server.1=10.0.0.1:2888:3888\n");
  EXPECT_FALSE(one.distributed());
  EXPECT_EQ(one.plugin_election, "standalone");
  EXPECT_THAT(one.warnings, ElementsAre(HasSubstr("only one server specified")));

  ZooConfig two = MustParse(
      "initLimit=5\nsyncLimit=2\n"
      "server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888\n");
  EXPECT_TRUE(two.distributed());
  EXPECT_THAT(two.warnings, ElementsAre(HasSubstr("no server failure will be tolerated")));

  ZooConfig with_observer =
      MustParse(std::string(kEnsemble) + "server.4=10.0.0.4:2888:3888:observer\n");
  EXPECT_EQ(with_observer.participants(), 3);
  EXPECT_EQ(with_observer.servers.size(), 4u);
  EXPECT_THAT(with_observer.warnings, IsEmpty());  // three voters: odd

  EXPECT_THAT(ParseError("server.1=10.0.0.1:2888:3888:observer\n"),
              HasSubstr("observers without participants"));
  EXPECT_THAT(ParseError("server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888:observer\n"),
              HasSubstr("observers without a quorum"));
  EXPECT_THAT(ParseError("standaloneEnabled=false\n"),
              HasSubstr("standaloneEnabled=false needs at least one participant"));
}

TEST(ZooCfgTest, ClientPortAddressNeedsClientPort) {
  EXPECT_THAT(ParseError("clientPortAddress=127.0.0.1\n"),
              HasSubstr("/etc/zoo.cfg:1: key 'clientPortAddress': clientPortAddress is set but "
                        "clientPort is not"));
}

TEST(ZooCfgTest, UnknownKeySuggestsTheClosest) {
  EXPECT_EQ(ParseError("tickTime=2000\ntickTme=2000\n"),
            "/etc/zoo.cfg:2: unknown key 'tickTme'; did you mean 'tickTime'?");
  EXPECT_EQ(ParseError("clientport=2181\n"),
            "/etc/zoo.cfg:1: unknown key 'clientport'; did you mean 'clientPort'?");
  EXPECT_THAT(ParseError("initLimt=10\n"), HasSubstr("did you mean 'initLimit'?"));
  EXPECT_THAT(ParseError("datadir=/x\n"), HasSubstr("did you mean 'dataDir'?"));
  EXPECT_THAT(ParseError("autopurge.purgeInteval=1\n"),
              HasSubstr("did you mean 'autopurge.purgeInterval'?"));
  EXPECT_THAT(ParseError("4lw.command.whitelist=*\n"),
              HasSubstr("did you mean '4lw.commands.whitelist'?"));
  // Close to a ZooKeeper key we do not implement: still the best guess.
  EXPECT_THAT(ParseError("secureClientPrt=2281\n"), HasSubstr("did you mean 'secureClientPort'?"));
  // zoo.cfg keys already become zookeeper.<key>; the prefixed form is a mistake.
  EXPECT_THAT(ParseError("zookeeper.snapCount=10\n"), HasSubstr("did you mean 'snapCount'?"));
  // Plugin keys with a misspelt kind or a bad plugin.* name.
  EXPECT_THAT(ParseError("storge.sqlite.syncMode=full\n"),
              HasSubstr("did you mean 'storage.sqlite.syncMode'?"));
  EXPECT_THAT(ParseError("plugin.storge=memory\n"),
              AllOf(HasSubstr("did you mean 'plugin.storage'?"), HasSubstr("<kind>.<name>.<key>")));
  EXPECT_THAT(ParseError("storage.sqlite=1\n"), HasSubstr("unknown key 'storage.sqlite'"));
  // Nothing close: no guess.
  EXPECT_EQ(ParseError("frobnicate=1\n"), "/etc/zoo.cfg:1: unknown key 'frobnicate'");
  EXPECT_EQ(ParseError("x=1\n"), "/etc/zoo.cfg:1: unknown key 'x'");
}

TEST(ZooCfgTest, KnownButUnimplementedKeysWarn) {
  ZooConfig cfg = MustParse(
      "secureClientPort=2281\n"
      "reconfigEnabled=false\n"
      "metricsProvider.className=org.apache.zookeeper.metrics.prometheus."
      "PrometheusMetricsProvider\n"
      "metricsProvider.httpPort=7000\n"
      "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n"
      "ssl.keyStore.location=/ks\n"
      "quorumListenOnAllIPs=true\n"
      "zookeeper.skipACL=yes\n"
      "admin.portUnification=true\n"
      "preAllocSize=65536\n");
  ASSERT_EQ(cfg.warnings.size(), 10u);
  EXPECT_EQ(cfg.warnings[0],
            "/etc/zoo.cfg:1: key 'secureClientPort' is a ZooKeeper setting zknode does not "
            "implement; ignored");
  EXPECT_THAT(cfg.warnings[3], HasSubstr("/etc/zoo.cfg:4: key 'metricsProvider.httpPort'"));
  EXPECT_THAT(cfg.warnings[7], HasSubstr("key 'zookeeper.skipACL' is a ZooKeeper setting"));
  // The raw lines are still there for `conf`.
  EXPECT_EQ(cfg.properties.size(), 10u);
}

TEST(ZooCfgTest, KeysThatChangeMembershipAreRefused) {
  EXPECT_THAT(ParseError("dynamicConfigFile=/etc/zoo.cfg.dynamic.100000000\n"),
              AllOf(HasSubstr("/etc/zoo.cfg:1: key 'dynamicConfigFile'"),
                    HasSubstr("put the server.X lines in this file")));
  EXPECT_THAT(ParseError("group.1=1:2:3\n"),
              AllOf(HasSubstr("key 'group.1'"), HasSubstr("hierarchical quorums")));
  EXPECT_THAT(ParseError("weight.1=2\n"), HasSubstr("key 'weight.1'"));
}

TEST(ZooCfgTest, BadValuesNameFileLineKeyAndValue) {
  struct Case {
    std::string text;
    std::string want;  // the message after "FILE:LINE: "
  } cases[] = {
      {"clientPort=abc", "key 'clientPort': value 'abc' is not a number"},
      {"clientPort=70000", "key 'clientPort': value '70000' is out of range: must be in 0..65535"},
      {"clientPort=-1", "key 'clientPort': value '-1' is out of range"},
      {"tickTime=0", "key 'tickTime': value '0' is out of range: must be >= 1"},
      {"tickTime=-2000", "key 'tickTime': value '-2000' is out of range"},
      {"tickTime=2000ms", "key 'tickTime': value '2000ms' is not a number"},
      {"tickTime=99999999999", "key 'tickTime': value '99999999999' is out of range"},
      {"initLimit=ten", "key 'initLimit': value 'ten' is not a number"},
      {"maxClientCnxns=-5", "key 'maxClientCnxns': value '-5' is out of range"},
      {"admin.serverPort=99999", "key 'admin.serverPort': value '99999' is out of range"},
      {"jute.maxbuffer=0", "key 'jute.maxbuffer': value '0' is out of range"},
      {"standaloneEnabled=maybe",
       "key 'standaloneEnabled': value 'maybe' is not a boolean: choose 'true' or 'false'"},
      {"admin.enableServer=no", "key 'admin.enableServer': value 'no' is not a boolean"},
      {"dataDir=", "key 'dataDir': the value is empty"},
      {"plugin.storage=../../evil",
       "key 'plugin.storage': value '../../evil' is not a plugin name"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseError("# first line\n" + c.text + "\n"),
                StartsWith("/etc/zoo.cfg:2: " + c.want))
        << c.text;
  }
}

TEST(ZooCfgTest, RepeatedKeysWarnAndTheLastWins) {
  ZooConfig cfg = MustParse("clientPort=abc\ntickTime=2000\nclientPort=2181\n");
  EXPECT_EQ(cfg.client_port, 2181);  // the bad first value is never read, as in ZooKeeper
  EXPECT_THAT(cfg.warnings,
              ElementsAre("/etc/zoo.cfg:3: key 'clientPort' repeats line 1; the last value "
                          "wins, as in ZooKeeper"));
  EXPECT_EQ(cfg.properties.size(), 3u);
}

TEST(ZooCfgTest, RelativeDataDirWarns) {
  ZooConfig cfg = MustParse("dataDir=data\ndataLogDir=./log\n");
  EXPECT_THAT(cfg.warnings, ElementsAre(AllOf(HasSubstr("/etc/zoo.cfg:1: key 'dataDir'"),
                                              HasSubstr("relative"))));
  EXPECT_EQ(cfg.data_log_dir, "./log");
}

TEST(ZooCfgTest, DataLogDirDefaultsToDataDir) {
  EXPECT_EQ(MustParse("dataDir=/var/lib/zk\n").data_log_dir, "/var/lib/zk");
}

TEST(ZooCfgTest, EscapesAndContinuationsReachTheValues) {
  ZooConfig cfg = MustParse(
      "4lw.commands.whitelist=ruok,\\\n    mntr,\\\n    conf\n"
      "dataDir=/tmp/with\\ space\n");
  EXPECT_EQ(cfg.four_letter_words, (std::set<std::string>{"conf", "mntr", "ruok", "srvr"}));
  EXPECT_EQ(cfg.data_dir, "/tmp/with space");
}

TEST(ZooCfgTest, ParseErrorOfPropertiesNamesTheFile) {
  EXPECT_THAT(ParseError("a=1\ndataDir=\\uZZZZ\n", "/x/zoo.cfg"),
              HasSubstr("/x/zoo.cfg:2: malformed \\uxxxx escape"));
}

TEST(ZooCfgTest, PluginKeyNeedsAKeyPart) {
  EXPECT_THAT(ParseError("storage.sqlite.=1\n"), HasSubstr("unknown key 'storage.sqlite.'"));
  EXPECT_THAT(ParseError("storage..x=1\n"), HasSubstr("unknown key 'storage..x'"));
}

TEST(ZooCfgTest, ParseResetsTheOutput) {
  ZooConfig cfg = MustParse(kSeedPseudoCluster);
  ASSERT_EQ(cfg.servers.size(), 3u);
  ASSERT_TRUE(ParseZooConfig(kSeedSingle, "b.cfg", &cfg).ok());
  EXPECT_TRUE(cfg.servers.empty());
  EXPECT_EQ(cfg.file, "b.cfg");
}

}  // namespace
}  // namespace zk::config
