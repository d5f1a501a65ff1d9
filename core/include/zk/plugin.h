// The plugin ABI (DESIGN §5). A plugin is a CMake MODULE library that includes only
// core/include and exports two symbols with BOOST_DLL_ALIAS:
//
//   zk_plugin_descriptor : const zk_plugin_descriptor* ()   plain C, read before any C++ type
//   zk_plugin_factory    : zk::PluginFactory* ()             a kind-specific factory
//
// Use ZK_DEFINE_PLUGIN(kind, name, version, FactoryType) in exactly one .cc of the plugin.
// The loader checks ABI major (equal), ABI minor (plugin <= host), kind, name and compiler
// before it trusts the factory, and names both sides in every rejection.
#pragma once

#include <boost/dll/alias.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "zk/status.h"

#define ZK_PLUGIN_ABI_MAJOR 2  // 2.0: streamed snapshots (storage.h, election.h)
#define ZK_PLUGIN_ABI_MINOR 0

#define ZK_STRINGIFY_INNER(x) #x
#define ZK_STRINGIFY(x) ZK_STRINGIFY_INNER(x)
// Two C++ modules can share std:: types only if compiler and standard library agree.
#define ZK_COMPILER_TAG                                                      \
  "g++ " __VERSION__ " libstdc++ " ZK_STRINGIFY(_GLIBCXX_RELEASE) " cxx11abi=" \
      ZK_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)

extern "C" {
struct zk_plugin_descriptor {
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* kind;      // "transport" | "storage" | "election"
  const char* name;      // e.g. "sqlite"; the file is libzk_<kind>_<name>.so
  const char* version;   // the plugin's own version, shown by conf and mntr
  const char* compiler;  // ZK_COMPILER_TAG of the plugin's build
};
}

namespace zk {

// One key a plugin accepts under `<kind>.<name>.` in zoo.cfg.
struct KeySpec {
  enum class Type { kString, kInt, kBool };
  std::string name;           // without the prefix, e.g. "syncMode"
  Type type = Type::kString;
  std::string default_value;  // as written in zoo.cfg
  std::string help;
};

// The plugin's keys as read from zoo.cfg, defaults filled in. Values were type-checked by
// the host against the factory's KeySpecs before Create is called.
class PluginConfig {
 public:
  PluginConfig() = default;
  explicit PluginConfig(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  const std::string& GetString(const std::string& key) const {
    static const std::string kEmpty;
    auto it = values_.find(key);
    return it == values_.end() ? kEmpty : it->second;
  }
  int64_t GetInt(const std::string& key) const {
    const std::string& v = GetString(key);
    return v.empty() ? 0 : std::stoll(v);
  }
  bool GetBool(const std::string& key) const {
    const std::string& v = GetString(key);
    return v == "true" || v == "yes" || v == "1";
  }
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// Base of every factory. The loader reaches the kind-specific subclass with static_cast
// after checking the descriptor's kind (RTTI does not cross hidden-visibility modules).
class PluginFactory {
 public:
  virtual ~PluginFactory() = default;
  virtual std::vector<KeySpec> Keys() const = 0;
};

}  // namespace zk

#define ZK_DEFINE_PLUGIN(KIND, NAME, VERSION, FACTORY)                                     \
  namespace {                                                                              \
  const zk_plugin_descriptor* ZkPluginDescriptorFn() {                                     \
    static const zk_plugin_descriptor d = {ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR, KIND, \
                                           NAME, VERSION, ZK_COMPILER_TAG};                \
    return &d;                                                                             \
  }                                                                                        \
  ::zk::PluginFactory* ZkPluginFactoryFn() {                                               \
    static FACTORY f;                                                                      \
    return &f;                                                                             \
  }                                                                                        \
  }                                                                                        \
  BOOST_DLL_ALIAS(ZkPluginDescriptorFn, zk_plugin_descriptor)                              \
  BOOST_DLL_ALIAS(ZkPluginFactoryFn, zk_plugin_factory)
