// Boost.DLL loading with the descriptor checked before any C++ type is trusted (DESIGN §5).
// The checks run in the order in which a field can be trusted: the two ABI numbers first
// (their place in the struct is fixed for every major), then the strings.
#include "plugin_loader/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/filesystem.hpp>
#include <exception>

namespace zk::plugin_loader {
namespace {

namespace bfs = boost::filesystem;

constexpr char kDescriptorSymbol[] = "zk_plugin_descriptor";
constexpr char kFactorySymbol[] = "zk_plugin_factory";

std::string Str(const char* s) { return s == nullptr ? std::string("(null)") : std::string(s); }

std::string Abi(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

std::string JoinOrNone(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool ValidName(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

Status Check(const zk_plugin_descriptor& d, const std::string& who, const std::string& kind,
             const std::string& name) {
  if (d.abi_major != ZK_PLUGIN_ABI_MAJOR) {
    return Status::InvalidArgument(
        who + ": ABI " + Abi(d.abi_major, d.abi_minor) + ", zknode speaks ABI " +
        Abi(ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR) + " (major must match)");
  }
  if (d.abi_minor > ZK_PLUGIN_ABI_MINOR) {
    return Status::InvalidArgument(who + ": ABI " + Abi(d.abi_major, d.abi_minor) +
                                   ", zknode speaks ABI " +
                                   Abi(ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR) +
                                   " (the plugin needs a newer zknode: its minor must be <= " +
                                   std::to_string(ZK_PLUGIN_ABI_MINOR) + ")");
  }
  if (Str(d.kind) != kind) {
    return Status::InvalidArgument(who + ": declares kind '" + Str(d.kind) + "', expected '" +
                                   kind + "'");
  }
  if (Str(d.name) != name) {
    return Status::InvalidArgument(who + ": declares name '" + Str(d.name) + "', expected '" +
                                   name + "'");
  }
  if (Str(d.compiler) != ZK_COMPILER_TAG) {
    return Status::InvalidArgument(who + ": built by '" + Str(d.compiler) + "', zknode by '" +
                                   ZK_COMPILER_TAG +
                                   "' (C++ types cross the plugin boundary only when both "
                                   "match; rebuild the plugin)");
  }
  return Status::OK();
}

Status Load(const std::string& dir, const std::string& kind, const std::string& name,
            std::unique_ptr<LoadedPlugin>* out) {
  const std::string path = PluginPath(dir, kind, name);
  const std::string who = kind + " plugin '" + name + "' at " + path;
  boost::system::error_code fec;
  if (!bfs::exists(path, fec)) {
    std::string message = "no " + kind + " plugin '" + name + "' in " + dir + " (looked for " +
                          path + "); available " + kind +
                          " plugins: " + JoinOrNone(AvailablePlugins(dir, kind));
    if (!bfs::is_directory(dir, fec)) message += "; the directory " + dir + " does not exist";
    return Status::NotFound(message);
  }

  auto plugin = std::make_unique<LoadedPlugin>();
  boost::dll::fs::error_code ec;
  ::dlerror();  // clear a stale message so the one read below is this load's
  // rtld_now: an unresolved symbol fails here, with its name, not at first call.
  plugin->library.load(path, ec,
                       boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec) {
    const char* dl = ::dlerror();
    return Status::InvalidArgument(who + ": cannot load: " + (dl ? dl : ec.message()));
  }
  if (!plugin->library.has(kDescriptorSymbol)) {
    return Status::InvalidArgument(who + " is not a zkops plugin: no " +
                                   std::string(kDescriptorSymbol) + " symbol");
  }
  const zk_plugin_descriptor* d =
      plugin->library.get_alias<const zk_plugin_descriptor*()>(kDescriptorSymbol)();
  if (d == nullptr) {
    return Status::InvalidArgument(who + ": " + kDescriptorSymbol + " returned no descriptor");
  }
  Status s = Check(*d, who, kind, name);
  if (!s.ok()) return s;
  if (!plugin->library.has(kFactorySymbol)) {
    return Status::InvalidArgument(who + " is not a zkops plugin: no " +
                                   std::string(kFactorySymbol) + " symbol");
  }
  PluginFactory* factory = plugin->library.get_alias<PluginFactory*()>(kFactorySymbol)();
  if (factory == nullptr) {
    return Status::InvalidArgument(who + ": " + kFactorySymbol + " returned no factory");
  }
  plugin->path = path;
  plugin->kind = kind;
  plugin->name = name;
  plugin->version = Str(d->version);
  plugin->factory = factory;
  *out = std::move(plugin);
  return Status::OK();
}

}  // namespace

std::string DefaultPluginDir() {
  boost::dll::fs::error_code ec;
  bfs::path bin = boost::dll::program_location(ec);
  if (ec) return ZK_PLUGIN_REL_DIR;
  return (bin.parent_path() / ".." / ZK_PLUGIN_REL_DIR).lexically_normal().string();
}

std::string PluginPath(const std::string& dir, const std::string& kind, const std::string& name) {
  return (bfs::path(dir) / ("libzk_" + kind + "_" + name + ".so")).string();
}

std::vector<std::string> AvailablePlugins(const std::string& dir, const std::string& kind) {
  std::vector<std::string> names;
  const std::string prefix = "libzk_" + kind + "_";
  const std::string suffix = ".so";
  boost::system::error_code ec;
  for (bfs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (file.size() > prefix.size() + suffix.size() && file.rfind(prefix, 0) == 0 &&
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0) {
      names.push_back(file.substr(prefix.size(), file.size() - prefix.size() - suffix.size()));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status LoadPlugin(const std::string& dir, const std::string& kind, const std::string& name,
                  std::unique_ptr<LoadedPlugin>* out) {
  if (!ValidName(kind) || !ValidName(name)) {
    return Status::InvalidArgument("plugin kind '" + kind + "' and name '" + name +
                                   "' must be letters, digits, '_' or '-'");
  }
  // Boost.DLL reports through exceptions; none may leave the loader.
  try {
    return Load(dir, kind, name, out);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(PluginPath(dir, kind, name) + ": " + e.what());
  }
}

}  // namespace zk::plugin_loader
