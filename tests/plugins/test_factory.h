// A storage factory for plugins built wrong on purpose: the loader tests never call Create.
#pragma once

#include <memory>
#include <vector>

#include "zk/storage.h"

namespace zk::test_plugins {

class NullStorageFactory : public StorageFactory {
 public:
  std::vector<KeySpec> Keys() const override { return {}; }
  std::unique_ptr<Storage> Create(const PluginConfig&, Host*, Status* status) override {
    *status = Status::NotSupported("test plugin: not a real storage");
    return nullptr;
  }
};

// Fills a descriptor by hand, for the plugins whose ABI numbers or compiler are wrong.
#define ZK_TEST_PLUGIN_DESCRIPTOR(MAJOR, MINOR, KIND, NAME, COMPILER)                    \
  namespace {                                                                            \
  const zk_plugin_descriptor* ZkTestDescriptorFn() {                                     \
    static const zk_plugin_descriptor d = {MAJOR, MINOR, KIND, NAME, "0.0.1", COMPILER}; \
    return &d;                                                                           \
  }                                                                                      \
  ::zk::PluginFactory* ZkTestFactoryFn() {                                               \
    static ::zk::test_plugins::NullStorageFactory f;                                     \
    return &f;                                                                           \
  }                                                                                      \
  }                                                                                      \
  BOOST_DLL_ALIAS(ZkTestDescriptorFn, zk_plugin_descriptor)                              \
  BOOST_DLL_ALIAS(ZkTestFactoryFn, zk_plugin_factory)

}  // namespace zk::test_plugins
