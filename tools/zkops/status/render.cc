#include "status/render.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

#include "status/assess.h"

namespace zkops::status {
namespace {

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

template <typename T>
std::string Cell(const std::optional<T>& v) {
  return v ? std::to_string(*v) : "-";
}

std::string Dash(const std::string& s) { return s.empty() ? "-" : s; }

// "election=raft,storage=sqlite,transport=tcp": names only; versions are in --json.
std::string PluginsCell(const std::map<std::string, std::string>& plugins) {
  std::string out;
  for (const auto& [kind, value] : plugins) {
    if (!out.empty()) out += ",";
    out += kind + "=" + value.substr(0, value.find(' '));
  }
  return Dash(out);
}

template <typename T>
Poco::Dynamic::Var OrNull(const std::optional<T>& v) {
  return v ? Poco::Dynamic::Var(*v) : Poco::Dynamic::Var();
}

Poco::JSON::Object::Ptr MapObject(const std::map<std::string, std::string>& m) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [k, v] : m) o->set(k, v);
  return o;
}

Poco::JSON::Array::Ptr StringArray(const std::vector<std::string>& items) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const std::string& s : items) a->add(s);
  return a;
}

Poco::JSON::Object::Ptr ServerJson(const ServerReport& r) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("name", r.name);
  o->set("address", r.target.Address());
  o->set("host", r.target.host);
  o->set("client_port", static_cast<int>(r.target.client_port));
  o->set("admin_port", r.target.admin_port ? Poco::Dynamic::Var(static_cast<int>(
                                                 *r.target.admin_port))
                                           : Poco::Dynamic::Var());
  o->set("expected_id", OrNull(r.target.expected_id));
  o->set("server_id", OrNull(r.server_id));
  o->set("state", std::string(StateName(r.state)));
  o->set("serving", IsServing(r.state));
  o->set("detail", r.detail);
  if (r.zxid) {
    o->set("zxid", Hex(*r.zxid));
    o->set("zxid_epoch", static_cast<uint64_t>(ZxidEpoch(*r.zxid)));
    o->set("zxid_counter", static_cast<uint64_t>(ZxidCounter(*r.zxid)));
  } else {
    o->set("zxid", Poco::Dynamic::Var());
    o->set("zxid_epoch", Poco::Dynamic::Var());
    o->set("zxid_counter", Poco::Dynamic::Var());
  }
  o->set("lag", OrNull(r.lag));
  o->set("lag_text", r.lag_text);
  o->set("connections", OrNull(r.connections));
  o->set("outstanding", OrNull(r.outstanding));
  if (r.latency) {
    Poco::JSON::Object::Ptr l = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    l->set("min", r.latency->min);
    l->set("avg", r.latency->avg);
    l->set("max", r.latency->max);
    o->set("latency", l);
  } else {
    o->set("latency", Poco::Dynamic::Var());
  }
  o->set("znode_count", OrNull(r.znode_count));
  o->set("version", r.version);
  o->set("plugins", MapObject(r.plugins));
  o->set("membership_voters", OrNull(r.conf_voters));
  o->set("membership_observers", OrNull(r.conf_observers));
  o->set("sources", MapObject(r.sources));
  o->set("notes", StringArray(r.notes));
  Poco::JSON::Object::Ptr raw = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  raw->set("srvr", MapObject(r.srvr_fields));
  raw->set("mntr", MapObject(r.mntr_fields));
  raw->set("conf", MapObject(r.conf_fields));
  o->set("raw", raw);
  return o;
}

}  // namespace

std::string RenderTable(const EnsembleStatus& status) {
  const std::vector<std::string> header = {"SERVER", "ADDRESS",  "STATE", "ZXID",
                                           "LAG",    "CONNS",    "OUTST", "LATENCY",
                                           "ZNODES", "VERSION",  "PLUGINS"};
  std::vector<std::vector<std::string>> rows = {header};
  for (const ServerReport& r : status.servers) {
    rows.push_back({r.name, r.target.Address(), StateName(r.state),
                    r.zxid ? Hex(*r.zxid) : "-", Dash(r.lag_text), Cell(r.connections),
                    Cell(r.outstanding), r.latency ? r.latency->text : "-", Cell(r.znode_count),
                    Dash(r.version), PluginsCell(r.plugins)});
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::ostringstream out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    out << line << "\n";
  }
  out << "\nverdict: " << VerdictName(status.verdict) << " (exit "
      << ExitCodeFor(status.verdict) << "): " << status.summary << "\n";
  for (const ServerReport& r : status.servers) {
    if (!IsServing(r.state) && !r.detail.empty()) {
      out << "  " << r.name << ": " << r.detail << "\n";
    }
    for (const std::string& n : r.notes) out << "  " << r.name << ": " << n << "\n";
  }
  for (const std::string& n : status.notes) out << "  note: " << n << "\n";
  return out.str();
}

Poco::JSON::Object::Ptr ToJson(const EnsembleStatus& status) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("verdict", std::string(VerdictName(status.verdict)));
  o->set("exit_code", ExitCodeFor(status.verdict));
  o->set("summary", status.summary);
  Poco::JSON::Object::Ptr q = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  q->set("voters", status.voters);
  q->set("voters_source", status.voters_source);
  q->set("needed", status.quorum);
  q->set("serving_voters", status.serving_voters);
  q->set("has_quorum", status.serving_voters >= status.quorum);
  q->set("tolerated_failures", status.tolerated_failures);
  o->set("quorum", q);
  o->set("leader", status.leaders.size() == 1 ? Poco::Dynamic::Var(status.leaders[0])
                                              : Poco::Dynamic::Var());
  o->set("leaders", StringArray(status.leaders));
  o->set("notes", StringArray(status.notes));
  Poco::JSON::Array::Ptr servers = new Poco::JSON::Array;
  for (const ServerReport& r : status.servers) servers->add(ServerJson(r));
  o->set("servers", servers);
  return o;
}

std::string RenderJson(const EnsembleStatus& status, unsigned indent) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(ToJson(status), out, indent);
  return out.str();
}

}  // namespace zkops::status
