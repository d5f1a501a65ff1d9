// Helpers that write history lines (tools/zkcheck/README.md) for the zkcheck tests, and run
// the checker on them.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "checker.h"

namespace zkcheck::testing {

// {"phase":"invoke","id":ID,"time":T,"session":S,"op":OP,"key":KEY,EXTRA}
inline std::string Inv(int id, int64_t t, const std::string& session, const std::string& op,
                       const std::string& key, const std::string& extra = "") {
  std::string s = "{\"phase\":\"invoke\",\"id\":" + std::to_string(id) +
                  ",\"time\":" + std::to_string(t) + ",\"session\":\"" + session +
                  "\",\"op\":\"" + op + "\"";
  if (!key.empty()) s += ",\"key\":\"" + key + "\"";
  if (!extra.empty()) s += "," + extra;
  return s + "}\n";
}

inline std::string Done(const char* phase, int id, int64_t t, const std::string& extra) {
  std::string s = std::string("{\"phase\":\"") + phase + "\",\"id\":" + std::to_string(id) +
                  ",\"time\":" + std::to_string(t);
  if (!extra.empty()) s += "," + extra;
  return s + "}\n";
}
inline std::string Ok(int id, int64_t t, const std::string& extra = "") {
  return Done("ok", id, t, extra);
}
inline std::string Fail(int id, int64_t t, const std::string& extra = "") {
  return Done("fail", id, t, extra);
}
inline std::string Info(int id, int64_t t) { return Done("info", id, t, ""); }

// A watch event or an expiry notice.
inline std::string Event(int64_t t, const std::string& session, const std::string& op,
                         const std::string& key, const std::string& extra = "") {
  std::string s = "{\"phase\":\"event\",\"time\":" + std::to_string(t) + ",\"session\":\"" +
                  session + "\",\"op\":\"" + op + "\"";
  if (!key.empty()) s += ",\"key\":\"" + key + "\"";
  if (!extra.empty()) s += "," + extra;
  return s + "}\n";
}

// A whole operation on one line pair: invoke at t, ok at t+d.
inline std::string OkOp(int id, int64_t t, int64_t d, const std::string& session,
                        const std::string& op, const std::string& key,
                        const std::string& invoke_extra, const std::string& ok_extra) {
  return Inv(id, t, session, op, key, invoke_extra) + Ok(id, t + d, ok_extra);
}

inline std::string V(const std::string& value) { return "\"value\":\"" + value + "\""; }
inline std::string Z(int64_t zxid) { return "\"zxid\":" + std::to_string(zxid); }
inline std::string Ver(int64_t version) { return "\"version\":" + std::to_string(version); }
// ok fields of a read or a write: value, version, zxid.
inline std::string VVZ(const std::string& value, int64_t version, int64_t zxid) {
  return V(value) + "," + Ver(version) + "," + Z(zxid);
}
inline std::string VZ(int64_t version, int64_t zxid) { return Ver(version) + "," + Z(zxid); }
inline std::string Init(const std::string& key, const std::string& value, int64_t version,
                        int64_t zxid) {
  return "{\"phase\":\"init\",\"key\":\"" + key + "\"," + VVZ(value, version, zxid) + "}\n";
}

inline Report CheckText(const std::string& text, const CheckOptions& options = CheckOptions(),
                  History* out = nullptr) {
  std::istringstream in(text);
  History local;
  History* h = out != nullptr ? out : &local;
  zk::Status s = ParseHistory(in, h);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return CheckHistory(*h, options);
}

// Prints the report when an expectation on it fails.
inline std::string Explain(const Report& r, const std::string& text) {
  std::istringstream in(text);
  History h;
  if (!ParseHistory(in, &h).ok()) return "(unparsable)";
  return RenderText(r, h);
}

inline bool HasCheck(const Report& r, const std::string& check) {
  for (const Violation& v : r.violations) {
    if (v.check == check) return true;
  }
  return false;
}

}  // namespace zkcheck::testing
