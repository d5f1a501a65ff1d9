// `<kind>.<name>.<key>` lines checked against the keys a plugin's factory declares
// (DESIGN §5: an unknown key stops startup with a clear error).
#include <map>
#include <string>
#include <vector>

#include "config/config_keys.h"
#include "config/config_values.h"
#include "config/zoo_cfg.h"

namespace zk::config {
namespace {

const char* TypeName(KeySpec::Type t) {
  switch (t) {
    case KeySpec::Type::kInt:
      return "int";
    case KeySpec::Type::kBool:
      return "bool";
    case KeySpec::Type::kString:
      return "string";
  }
  return "string";
}

// "the storage plugin 'sqlite' declares: syncMode (string, default 'full'), ..."
std::string Declared(const std::string& kind, const std::string& name,
                     const std::vector<KeySpec>& specs) {
  std::string out = "the " + kind + " plugin '" + name + "' ";
  if (specs.empty()) return out + "declares no keys";
  std::vector<std::string> items;
  for (const KeySpec& k : specs) {
    items.push_back(kind + "." + name + "." + k.name + " (" + TypeName(k.type) + ", default '" +
                    k.default_value + "')");
  }
  return out + "declares: " + internal::Join(items);
}

// Normalises a value to what PluginConfig's getters read: decimal ints, "true"/"false".
bool Normalise(KeySpec::Type type, const std::string& value, std::string* out) {
  switch (type) {
    case KeySpec::Type::kString:
      *out = value;
      return true;
    case KeySpec::Type::kInt: {
      int64_t v = 0;
      if (!internal::ParseDecimal(value, &v)) return false;
      *out = std::to_string(v);
      return true;
    }
    case KeySpec::Type::kBool: {
      bool b = false;
      if (!internal::ParseJavaBool(value, &b)) return false;
      *out = b ? "true" : "false";
      return true;
    }
  }
  return false;
}

const std::string& Selected(const ZooConfig& cfg, const std::string& kind) {
  if (kind == "transport") return cfg.plugin_transport;
  if (kind == "storage") return cfg.plugin_storage;
  return cfg.plugin_election;
}

}  // namespace

Status ValidatePluginKeys(const ZooConfig& cfg, const std::string& kind, const std::string& name,
                          const std::vector<KeySpec>& specs, PluginConfig* out) {
  const std::string prefix = kind + "." + name + ".";
  std::map<std::string, std::string> values;
  for (const KeySpec& spec : specs) values[spec.name] = spec.default_value;
  std::vector<std::string> spec_names;
  for (const KeySpec& spec : specs) spec_names.push_back(spec.name);

  for (const auto& [key, p] : cfg.plugin_keys) {
    if (key.rfind(prefix, 0) != 0) continue;
    const std::string short_name = key.substr(prefix.size());
    const KeySpec* spec = nullptr;
    for (const KeySpec& s : specs) {
      if (s.name == short_name) spec = &s;
    }
    if (spec == nullptr) {
      const std::string hint = internal::Closest(short_name, spec_names);
      return Status::InvalidArgument(
          internal::Where(cfg.file, p.line) + ": unknown key '" + key + "'" +
          (hint.empty() ? "" : "; did you mean '" + prefix + hint + "'?") + " (" +
          Declared(kind, name, specs) + ")");
    }
    std::string normalised;
    if (!Normalise(spec->type, p.value, &normalised)) {
      const char* want = spec->type == KeySpec::Type::kInt ? "an integer" : "'true' or 'false'";
      return Status::InvalidArgument(internal::Where(cfg.file, p.line) + ": key '" + key +
                                     "': value '" + p.value + "' is not " + want + "; " +
                                     Declared(kind, name, specs));
    }
    values[spec->name] = normalised;
  }
  *out = PluginConfig(std::move(values));
  return Status::OK();
}

Status CheckUnclaimedPluginKeys(const ZooConfig& cfg) {
  for (const auto& [key, p] : cfg.plugin_keys) {
    const size_t dot1 = key.find('.');
    const size_t dot2 = key.find('.', dot1 + 1);
    const std::string kind = key.substr(0, dot1);
    const std::string name = key.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string& selected = Selected(cfg, kind);
    if (name == selected) continue;
    std::string message = internal::Where(cfg.file, p.line) + ": key '" + key + "' is for the " +
                          kind + " plugin '" + name + "', but plugin." + kind + " is '" + selected +
                          "'";
    if (!internal::Closest(name, {selected}).empty()) {
      message += "; did you mean '" + kind + "." + selected + key.substr(dot2) + "'?";
    }
    return Status::InvalidArgument(message);
  }
  return Status::OK();
}

}  // namespace zk::config
