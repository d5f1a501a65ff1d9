// Loads plugins with Boost.DLL (DESIGN §5). The descriptor is read and checked before any
// C++ type from the library is trusted; every rejection names both sides.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <memory>
#include <string>
#include <vector>

#include "zk/plugin.h"
#include "zk/status.h"

namespace zk::plugin_loader {

// A loaded plugin library. Keep it alive longer than every object its factory created:
// declare it before them so it is destroyed after them.
struct LoadedPlugin {
  boost::dll::shared_library library;
  std::string path;
  std::string kind;
  std::string name;
  std::string version;
  PluginFactory* factory = nullptr;  // owned by the library
};

// <directory of the running binary>/../lib/zkops/plugins (build tree and install prefix).
std::string DefaultPluginDir();

// The file a plugin lives in: <dir>/libzk_<kind>_<name>.so
std::string PluginPath(const std::string& dir, const std::string& kind, const std::string& name);

// Names of the plugins of `kind` present in `dir`, sorted.
std::vector<std::string> AvailablePlugins(const std::string& dir, const std::string& kind);

// Loads and checks one plugin. Errors (InvalidArgument / NotFound) say which plugin, what
// was expected and what was found, and list the plugins of that kind that do exist.
Status LoadPlugin(const std::string& dir, const std::string& kind, const std::string& name,
                  std::unique_ptr<LoadedPlugin>* out);

}  // namespace zk::plugin_loader
