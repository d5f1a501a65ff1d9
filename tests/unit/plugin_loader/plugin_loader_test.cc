// The loader against plugins built wrong on purpose (tests/plugins): every rejection names
// what was expected and what was found.
#include "plugin_loader/plugin_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <filesystem>

#include "config/zoo_cfg.h"

namespace zk::plugin_loader {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

const std::string kDir = ZK_TEST_PLUGIN_DIR;

std::string Abi(int major, int minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

Status Load(const std::string& name, std::unique_ptr<LoadedPlugin>* out) {
  return LoadPlugin(kDir, "storage", name, out);
}

TEST(PluginLoaderTest, PluginPathIsLibzkKindName) {
  EXPECT_EQ(PluginPath("/opt/zk/plugins", "storage", "sqlite"),
            "/opt/zk/plugins/libzk_storage_sqlite.so");
}

TEST(PluginLoaderTest, DefaultPluginDirIsNextToTheBinary) {
  // The test binary lives in build/bin, so the default is build/lib/zkops/plugins.
  const std::filesystem::path bin = boost::dll::program_location().parent_path().string();
  const std::filesystem::path expected = (bin / ".." / "lib/zkops/plugins").lexically_normal();
  EXPECT_EQ(DefaultPluginDir(), expected.string());
  EXPECT_EQ(std::filesystem::path(DefaultPluginDir()).lexically_normal().string(),
            DefaultPluginDir());
  EXPECT_THAT(DefaultPluginDir(), Not(HasSubstr("..")));
}

TEST(PluginLoaderTest, GoodPluginLoadsAndItsKeysAreRead) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("keyed", &p);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, "storage");
  EXPECT_EQ(p->name, "keyed");
  EXPECT_EQ(p->version, "1.2.3");
  EXPECT_EQ(p->path, kDir + "/libzk_storage_keyed.so");
  ASSERT_NE(p->factory, nullptr);
  std::vector<KeySpec> keys = p->factory->Keys();
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].name, "retries");
  EXPECT_EQ(keys[0].type, KeySpec::Type::kInt);
  EXPECT_EQ(keys[0].default_value, "3");
  EXPECT_EQ(keys[1].name, "verbose");
  EXPECT_EQ(keys[1].type, KeySpec::Type::kBool);
  EXPECT_EQ(keys[2].name, "mode");
}

TEST(PluginLoaderTest, LoadedKeysDriveConfigValidation) {
  std::unique_ptr<LoadedPlugin> p;
  ASSERT_TRUE(Load("keyed", &p).ok());
  config::ZooConfig cfg;
  ASSERT_TRUE(
      config::ParseZooConfig("plugin.storage=keyed\nstorage.keyed.retries=7\n", "zoo.cfg", &cfg)
          .ok());
  PluginConfig pc;
  Status s = config::ValidatePluginKeys(cfg, "storage", "keyed", p->factory->Keys(), &pc);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(pc.GetInt("retries"), 7);
  EXPECT_FALSE(pc.GetBool("verbose"));
  EXPECT_EQ(pc.GetString("mode"), "fast");
}

TEST(PluginLoaderTest, TwoLoadsOfOnePluginAreIndependent) {
  std::unique_ptr<LoadedPlugin> a, b;
  ASSERT_TRUE(Load("keyed", &a).ok());
  ASSERT_TRUE(Load("keyed", &b).ok());
  a.reset();  // the library stays mapped while b holds it
  EXPECT_EQ(b->factory->Keys().size(), 3u);
}

TEST(PluginLoaderTest, WrongAbiMajorShowsBothVersions) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("badmajor", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(p, nullptr);
  EXPECT_THAT(s.message(),
              HasSubstr("storage plugin 'badmajor' at " + kDir + "/libzk_storage_badmajor.so"));
  EXPECT_THAT(s.message(),
              HasSubstr("ABI " + Abi(ZK_PLUGIN_ABI_MAJOR + 1, 0) + ", zknode speaks ABI " +
                        Abi(ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR)));
  EXPECT_THAT(s.message(), HasSubstr("major must match"));
}

TEST(PluginLoaderTest, NewerAbiMinorIsRejected) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("newminor", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("ABI " + Abi(ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR + 1) +
                        ", zknode speaks ABI " + Abi(ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR)));
  EXPECT_THAT(s.message(), HasSubstr("newer zknode"));
}

TEST(PluginLoaderTest, WrongKindShowsBoth) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("wrongkind", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("storage plugin 'wrongkind' at "));
  EXPECT_THAT(s.message(), HasSubstr("declares kind 'transport', expected 'storage'"));
}

TEST(PluginLoaderTest, WrongNameShowsBoth) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("wrongname", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("declares name 'memory', expected 'wrongname'"));
}

TEST(PluginLoaderTest, WrongCompilerShowsBothTags) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("badcompiler", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("built by 'g++ 4.8.5 libstdc++ 4 cxx11abi=0', zknode by '" +
                                     std::string(ZK_COMPILER_TAG) + "'"));
}

TEST(PluginLoaderTest, LibraryWithoutDescriptorIsNotAPlugin) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("nodescriptor", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("libzk_storage_nodescriptor.so is not a zkops plugin: no "
                                     "zk_plugin_descriptor symbol"));
}

TEST(PluginLoaderTest, LibraryWithoutFactoryIsNotAPlugin) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("nofactory", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("is not a zkops plugin: no zk_plugin_factory symbol"));
}

TEST(PluginLoaderTest, DlopenFailureCarriesDlerror) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("garbage", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("storage plugin 'garbage' at " + kDir +
                                     "/libzk_storage_garbage.so: cannot load: "));
  // glibc: "...: invalid ELF header" or "...: file too short"
  EXPECT_THAT(s.message(), HasSubstr("libzk_storage_garbage.so: "));
  EXPECT_TRUE(s.message().find("ELF") != std::string::npos ||
              s.message().find("too short") != std::string::npos)
      << s.message();
}

TEST(PluginLoaderTest, UnresolvedSymbolIsReportedAtLoad) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("unresolved", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("cannot load: "));
  EXPECT_THAT(s.message(), HasSubstr("undefined symbol: zk_test_symbol_nobody_defines"));
}

TEST(PluginLoaderTest, MissingPluginListsWhatExists) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = Load("kayed", &p);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_THAT(s.message(),
              HasSubstr("no storage plugin 'kayed' in " + kDir + " (looked for " + kDir +
                        "/libzk_storage_kayed.so); available storage "
                        "plugins: badcompiler, badmajor, garbage, keyed, "));
  EXPECT_THAT(s.message(), Not(HasSubstr("fake")));  // a transport
}

TEST(PluginLoaderTest, MissingDirectoryIsSaid) {
  const std::string dir = kDir + "/does-not-exist";
  std::unique_ptr<LoadedPlugin> p;
  Status s = LoadPlugin(dir, "storage", "sqlite", &p);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("available storage plugins: none"));
  EXPECT_THAT(s.message(), HasSubstr("the directory " + dir + " does not exist"));
}

TEST(PluginLoaderTest, NamesThatCouldEscapeTheDirectoryAreRefused) {
  std::unique_ptr<LoadedPlugin> p;
  Status s = LoadPlugin(kDir, "storage", "../plugins/x", &p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'../plugins/x'"));
}

TEST(PluginLoaderTest, AvailablePluginsFiltersByKindAndSorts) {
  EXPECT_THAT(AvailablePlugins(kDir, "transport"), ElementsAre("fake"));
  std::vector<std::string> storage = AvailablePlugins(kDir, "storage");
  EXPECT_TRUE(std::is_sorted(storage.begin(), storage.end()));
  EXPECT_THAT(storage,
              IsSupersetOf({"badcompiler", "badmajor", "garbage", "keyed", "newminor",
                            "nodescriptor", "nofactory", "unresolved", "wrongkind", "wrongname"}));
  EXPECT_TRUE(AvailablePlugins(kDir, "election").empty());
  EXPECT_TRUE(AvailablePlugins(kDir + "/nope", "storage").empty());
}

}  // namespace
}  // namespace zk::plugin_loader
