// Records what the simulated clients did as a zkcheck history: JSON lines in the format of
// tools/zkcheck/README.md, the same text the real-process harness (tests/fault) writes, so a
// failing schedule's history can be saved and re-checked with bin/zkcheck, and the checker
// reads both through one parser.
//
// Times are simulated milliseconds turned into strictly increasing nanosecond stamps, so two
// lines of the same millisecond keep the order they happened in.
//
// Threads: the test thread (which runs every simulated host) makes every call.
#pragma once

#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "history.h"

namespace zk::simulation {

// One JSON object being written: Field() appends "key":value pairs.
class JsonLine {
 public:
  JsonLine& Field(const char* key, const std::string& value) {
    Key(key);
    Quote(value);
    return *this;
  }
  JsonLine& Field(const char* key, const char* value) { return Field(key, std::string(value)); }
  JsonLine& Field(const char* key, int64_t value) {
    Key(key);
    out_ += std::to_string(value);
    return *this;
  }
  JsonLine& Field(const char* key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  // A value that is already JSON (an array or object).
  JsonLine& Raw(const char* key, const std::string& json) {
    Key(key);
    out_ += json;
    return *this;
  }
  std::string Done() const { return "{" + out_ + "}"; }

  static std::string Quoted(const std::string& s) {
    JsonLine j;
    j.Quote(s);
    return j.out_;
  }

 private:
  void Key(const char* key) {
    if (!out_.empty()) out_ += ',';
    Quote(key);
    out_ += ':';
  }
  void Quote(const std::string& s) {
    out_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out_ += buf;
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }
  std::string out_;
};

class HistoryRecorder {
 public:
  // An invocation: `fields` carries op, key, value, ...; returns the op id for Complete.
  int64_t Invoke(int64_t now_ms, int process, const std::string& session, JsonLine fields) {
    const int64_t id = next_id_++;
    fields.Field("phase", "invoke").Field("id", id).Field("process", int64_t{process});
    fields.Field("session", session).Field("time", Stamp(now_ms));
    lines_.push_back(fields.Done());
    ++invocations_;
    return id;
  }
  // The completion of `id`: "ok", "fail" (with `error` among the fields) or "info".
  void Complete(int64_t now_ms, int64_t id, const char* phase, JsonLine fields = {}) {
    fields.Field("phase", phase).Field("id", id).Field("time", Stamp(now_ms));
    lines_.push_back(fields.Done());
  }
  // Something a client observed (watch_event, expire).
  void Event(int64_t now_ms, int process, const std::string& session, JsonLine fields) {
    fields.Field("phase", "event").Field("id", next_id_++).Field("process", int64_t{process});
    fields.Field("session", session).Field("time", Stamp(now_ms));
    lines_.push_back(fields.Done());
  }
  // Lines without a time: init and final.
  void Add(JsonLine fields) { lines_.push_back(fields.Done()); }

  std::string Text() const {
    std::string out;
    for (const std::string& l : lines_) out += l + "\n";
    return out;
  }
  Status Parse(zkcheck::History* out) const {
    std::istringstream in(Text());
    return zkcheck::ParseHistory(in, out);
  }
  int64_t invocations() const { return invocations_; }

 private:
  int64_t Stamp(int64_t now_ms) {
    last_ns_ = std::max(last_ns_ + 1, now_ms * 1'000'000);
    return last_ns_;
  }

  std::vector<std::string> lines_;
  int64_t next_id_ = 1;
  int64_t last_ns_ = 0;
  int64_t invocations_ = 0;
};

}  // namespace zk::simulation
