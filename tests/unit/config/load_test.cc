// LoadZooConfig: files on disk, dataDir/myid, the seed's layouts (fresh temp dir per test).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/zoo_cfg.h"
#include "config_test_util.h"

namespace zk::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class LoadTest : public testing::TempDirTest {
 protected:
  // The seed's pseudo-cluster config for node `n`, with its dataDir under the temp dir.
  std::string PseudoClusterNode(int n) {
    const std::string data = Path("zookeeper" + std::to_string(n));
    return Write("zookeeper-3.4.6." + std::to_string(n) + "/conf/zoo.cfg",
                 "tickTime=2000\n"
                 "initLimit=10\n"
                 "syncLimit=5\n"
                 "dataDir=" +
                     data +
                     "\n"
                     "dataLogDir=" +
                     data +
                     "\n"
                     "clientPort=" +
                     std::to_string(2180 + n) +
                     "\n"
                     "server.0=127.0.0.1:8000:8100\n"
                     "server.1=127.0.0.1:8001:8101\n"
                     "server.2=127.0.0.1:8002:8102\n");
  }

  std::string Ensemble(const std::string& extra = "") {
    return "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=" + Path("data") + "\n" +
           "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\n"
           "server.3=127.0.0.1:2890:3890\n" +
           extra;
  }

  Status Load(const std::string& path, ZooConfig* cfg) { return LoadZooConfig(path, cfg); }
};

TEST_F(LoadTest, SeedSingleServerLoadsWithoutMyid) {
  const std::string data = Path("zookeeper0");
  const std::string cfg_path = Write("conf/zoo.cfg",
                                     "tickTime=2000\ninitLimit=10\nsyncLimit=5\n"
                                     "dataDir=" +
                                         data + "\ndataLogDir=" + data + "\nclientPort=2180\n");
  ZooConfig cfg;
  Status s = Load(cfg_path, &cfg);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(cfg.file, cfg_path);
  EXPECT_FALSE(cfg.has_my_id);
  EXPECT_FALSE(cfg.distributed());
  EXPECT_EQ(cfg.client_port, 2180);
  EXPECT_EQ(cfg.plugin_election, "standalone");
  EXPECT_EQ(cfg.self(), nullptr);
}

TEST_F(LoadTest, SeedPseudoClusterEachNodeFindsItself) {
  for (int n = 0; n < 3; ++n) {
    const std::string cfg_path = PseudoClusterNode(n);
    Write("zookeeper" + std::to_string(n) + "/myid", std::to_string(n) + "\n");  // echo N > myid
    ZooConfig cfg;
    Status s = Load(cfg_path, &cfg);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(cfg.has_my_id);
    EXPECT_EQ(cfg.my_id, static_cast<uint64_t>(n));
    ASSERT_NE(cfg.self(), nullptr);
    EXPECT_EQ(cfg.self()->quorum_port, 8000 + n);
    EXPECT_EQ(cfg.client_port, 2180 + n);
    EXPECT_TRUE(cfg.distributed());
    EXPECT_EQ(cfg.plugin_election, "raft");
  }
}

TEST_F(LoadTest, SeedMultiHost) {
  const std::string data = Path("zookeeper101");
  Write("zookeeper101/myid", "101\n");
  const std::string cfg_path = Write("zoo.cfg",
                                     "tickTime=2000\ninitLimit=10\nsyncLimit=5\n"
                                     "dataDir=" +
                                         data + "\ndataLogDir=" + data +
                                         "\nclientPort=2180\n"
                                         "server.101=192.168.100.101:8000:8100\n"
                                         "server.102=192.168.100.102:8000:8100\n"
                                         "server.202=192.168.100.202:8000:8100\n");
  ZooConfig cfg;
  ASSERT_TRUE(Load(cfg_path, &cfg).ok());
  EXPECT_EQ(cfg.my_id, 101u);
  ASSERT_NE(cfg.self(), nullptr);
  EXPECT_EQ(cfg.self()->host, "192.168.100.101");
}

TEST_F(LoadTest, MissingFileIsNamed) {
  ZooConfig cfg;
  Status s = Load(Path("nope/zoo.cfg"), &cfg);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("cannot read config file " + Path("nope/zoo.cfg")),
                                 HasSubstr("No such file or directory")));
}

TEST_F(LoadTest, DirectoryIsNotAConfigFile) {
  ZooConfig cfg;
  Status s = Load(dir_.string(), &cfg);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("it is a directory"));
}

TEST_F(LoadTest, ParseErrorsNameThePath) {
  const std::string cfg_path = Write("zoo.cfg", "dataDir=/x\ntickTme=1\n");
  ZooConfig cfg;
  EXPECT_EQ(Load(cfg_path, &cfg).message(),
            cfg_path + ":2: unknown key 'tickTme'; did you mean 'tickTime'?");
}

TEST_F(LoadTest, DataDirIsRequired) {
  const std::string cfg_path = Write("zoo.cfg", "tickTime=2000\nclientPort=2181\n");
  ZooConfig cfg;
  Status s = Load(cfg_path, &cfg);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), cfg_path + ": dataDir is not set");
}

TEST_F(LoadTest, DistributedWithoutMyidNamesTheExpectedFile) {
  const std::string cfg_path = Write("zoo.cfg", Ensemble());
  ZooConfig cfg;
  Status s = Load(cfg_path, &cfg);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(),
              AllOf(HasSubstr("myid file is missing"), HasSubstr("expected " + Path("data/myid")),
                    HasSubstr("(1, 2, 3)")));
}

TEST_F(LoadTest, NonNumericMyid) {
  const std::string cfg_path = Write("zoo.cfg", Ensemble());
  Write("data/myid", "one\n");
  ZooConfig cfg;
  Status s = Load(cfg_path, &cfg);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), Path("data/myid") + ": serverid one is not a number");

  Write("data/myid", "");
  EXPECT_THAT(Load(cfg_path, &cfg).message(), HasSubstr("serverid (empty) is not a number"));
  Write("data/myid", "-3\n");
  EXPECT_THAT(Load(cfg_path, &cfg).message(), HasSubstr("serverid -3 is not a number"));
}

TEST_F(LoadTest, MyidIsTrimmedAndOnlyItsFirstLineCounts) {
  const std::string cfg_path = Write("zoo.cfg", Ensemble());
  Write("data/myid", "  2 \r\nanything\n");
  ZooConfig cfg;
  Status s = Load(cfg_path, &cfg);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(cfg.my_id, 2u);
}

TEST_F(LoadTest, MyidNotInThePeerList) {
  const std::string cfg_path = Write("zoo.cfg", Ensemble());
  Write("data/myid", "7\n");
  ZooConfig cfg;
  Status s = Load(cfg_path, &cfg);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(),
              AllOf(HasSubstr(Path("data/myid")), HasSubstr("My id 7 not in the peer list"),
                    HasSubstr("server.X lines in " + cfg_path + " list 1, 2, 3")));
}

TEST_F(LoadTest, StandaloneIgnoresAMyidThatMatchesNoLine) {
  // One server line and standaloneEnabled=true: standalone, as ZooKeeper does.
  const std::string cfg_path =
      Write("zoo.cfg", "dataDir=" + Path("data") + "\nserver.1=127.0.0.1:2888:3888\n");
  Write("data/myid", "9\n");
  ZooConfig cfg;
  Status s = Load(cfg_path, &cfg);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(cfg.has_my_id);
  EXPECT_EQ(cfg.my_id, 9u);
  EXPECT_EQ(cfg.self(), nullptr);
}

TEST_F(LoadTest, ClientPortComesFromThisServersLine) {
  const std::string cfg_path =
      Write("zoo.cfg", "initLimit=5\nsyncLimit=2\ndataDir=" + Path("data") + "\n" +
                           "server.1=127.0.0.1:2888:3888;2191\n"
                           "server.2=127.0.0.1:2889:3889:participant;127.0.0.2:2192\n"
                           "server.3=127.0.0.1:2890:3890\n");
  ZooConfig cfg;
  Write("data/myid", "1");
  ASSERT_TRUE(Load(cfg_path, &cfg).ok());
  EXPECT_EQ(cfg.client_port, 2191);
  EXPECT_EQ(cfg.client_port_address, "");
  Write("data/myid", "2");
  ASSERT_TRUE(Load(cfg_path, &cfg).ok());
  EXPECT_EQ(cfg.client_port, 2192);
  EXPECT_EQ(cfg.client_port_address, "127.0.0.2");
  Write("data/myid", "3");
  ASSERT_TRUE(Load(cfg_path, &cfg).ok());
  EXPECT_EQ(cfg.client_port, 0);  // neither clientPort nor ;port: no client service
}

TEST_F(LoadTest, ClientPortAndServerLinePortMustAgree) {
  const std::string cfg_path =
      Write("zoo.cfg", Ensemble("clientPort=2181\n")
                           .replace(Ensemble().find("server.2=127.0.0.1:2889:3889"), 28,
                                    "server.2=127.0.0.1:2889:3889;2182"));
  Write("data/myid", "2");
  ZooConfig cfg;
  Status s = Load(cfg_path, &cfg);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr(cfg_path + ":6: key 'server.2'"),
                                 HasSubstr("0.0.0.0:2182 differs from clientPort/"
                                           "clientPortAddress 0.0.0.0:2181")));
  // Another server's client part does not matter to this one.
  Write("data/myid", "1");
  ASSERT_TRUE(Load(cfg_path, &cfg).ok());
  EXPECT_EQ(cfg.client_port, 2181);
}

TEST_F(LoadTest, MissingInitLimitInAnEnsemble) {
  const std::string cfg_path =
      Write("zoo.cfg", "syncLimit=5\ndataDir=" + Path("data") +
                           "\nserver.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\n");
  Write("data/myid", "1");
  ZooConfig cfg;
  EXPECT_THAT(Load(cfg_path, &cfg).message(), HasSubstr(cfg_path + ": initLimit is not set"));
}

}  // namespace
}  // namespace zk::config
