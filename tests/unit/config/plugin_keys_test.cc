// ValidatePluginKeys / CheckUnclaimedPluginKeys against hand-written KeySpecs (the loader
// test checks the same against a real plugin's Keys()).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/zoo_cfg.h"
#include "config_test_util.h"

namespace zk::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::MustParse;

const std::vector<KeySpec> kSqliteKeys = {
    {"syncMode", KeySpec::Type::kString, "full", "full or normal"},
    {"cacheSizeKb", KeySpec::Type::kInt, "2048", "page cache"},
    {"wal", KeySpec::Type::kBool, "true", "write-ahead log"},
};

constexpr char kDeclared[] =
    "the storage plugin 'sqlite' declares: storage.sqlite.syncMode (string, default 'full'), "
    "storage.sqlite.cacheSizeKb (int, default '2048'), storage.sqlite.wal (bool, default "
    "'true')";

TEST(PluginKeysTest, DefaultsAreFilledIn) {
  ZooConfig cfg = MustParse("dataDir=/d\n");
  PluginConfig pc;
  ASSERT_TRUE(ValidatePluginKeys(cfg, "storage", "sqlite", kSqliteKeys, &pc).ok());
  EXPECT_EQ(pc.GetString("syncMode"), "full");
  EXPECT_EQ(pc.GetInt("cacheSizeKb"), 2048);
  EXPECT_TRUE(pc.GetBool("wal"));
  EXPECT_EQ(pc.values().size(), 3u);
}

TEST(PluginKeysTest, ValuesAreTypedAndNormalised) {
  ZooConfig cfg = MustParse(
      "storage.sqlite.syncMode=normal\nstorage.sqlite.cacheSizeKb=+512\nstorage.sqlite.wal=FALSE\n"
      "storage.memory.other=1\ntransport.tcp.x=y\n");
  PluginConfig pc;
  Status s = ValidatePluginKeys(cfg, "storage", "sqlite", kSqliteKeys, &pc);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(pc.GetString("syncMode"), "normal");
  EXPECT_EQ(pc.GetString("cacheSizeKb"), "512");
  EXPECT_EQ(pc.GetString("wal"), "false");
  EXPECT_FALSE(pc.GetBool("wal"));
  EXPECT_EQ(pc.values().count("other"), 0u);  // another plugin's key
}

TEST(PluginKeysTest, UnknownKeyListsTheDeclaredKeys) {
  ZooConfig cfg = MustParse("dataDir=/d\nstorage.sqlite.syncMod=full\n");
  PluginConfig pc;
  Status s = ValidatePluginKeys(cfg, "storage", "sqlite", kSqliteKeys, &pc);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/etc/zoo.cfg:2: unknown key 'storage.sqlite.syncMod'; did you mean "
            "'storage.sqlite.syncMode'? (" +
                std::string(kDeclared) + ")");
}

TEST(PluginKeysTest, PluginWithoutKeys) {
  ZooConfig cfg = MustParse("transport.tcp.nodelay=true\n");
  PluginConfig pc;
  Status s = ValidatePluginKeys(cfg, "transport", "tcp", {}, &pc);
  EXPECT_EQ(s.message(),
            "/etc/zoo.cfg:1: unknown key 'transport.tcp.nodelay' (the transport "
            "plugin 'tcp' declares no keys)");
}

TEST(PluginKeysTest, WrongTypes) {
  PluginConfig pc;
  ZooConfig cfg = MustParse("\nstorage.sqlite.cacheSizeKb=lots\n");
  EXPECT_EQ(ValidatePluginKeys(cfg, "storage", "sqlite", kSqliteKeys, &pc).message(),
            "/etc/zoo.cfg:2: key 'storage.sqlite.cacheSizeKb': value 'lots' is not an integer; " +
                std::string(kDeclared));
  cfg = MustParse("storage.sqlite.wal=yes please\n");
  EXPECT_THAT(ValidatePluginKeys(cfg, "storage", "sqlite", kSqliteKeys, &pc).message(),
              AllOf(HasSubstr("/etc/zoo.cfg:1: key 'storage.sqlite.wal': value 'yes please' is "
                              "not 'true' or 'false'"),
                    HasSubstr(kDeclared)));
}

TEST(PluginKeysTest, KeysOfAPluginNotSelectedAreUnclaimed) {
  ZooConfig cfg = MustParse("plugin.storage=sqlite\nstorage.sqlte.syncMode=full\n");
  Status s = CheckUnclaimedPluginKeys(cfg);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/etc/zoo.cfg:2: key 'storage.sqlte.syncMode' is for the storage plugin 'sqlte', "
            "but plugin.storage is 'sqlite'; did you mean 'storage.sqlite.syncMode'?");
  // Far from the selected name: no guess.
  cfg = MustParse("election.raft.electionTimeoutMs=1000\n");  // standalone: no server lines
  EXPECT_EQ(CheckUnclaimedPluginKeys(cfg).message(),
            "/etc/zoo.cfg:1: key 'election.raft.electionTimeoutMs' is for the election plugin "
            "'raft', but plugin.election is 'standalone'");
}

TEST(PluginKeysTest, KeysOfSelectedPluginsAreClaimed) {
  ZooConfig cfg = MustParse(
      "initLimit=5\nsyncLimit=2\n"
      "server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888\nserver.3=10.0.0.3:2888:3888\n"
      "plugin.transport=inproc\n"
      "election.raft.electionTimeoutMs=1000\nstorage.sqlite.wal=true\ntransport.inproc.x=1\n");
  Status s = CheckUnclaimedPluginKeys(cfg);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace zk::config
