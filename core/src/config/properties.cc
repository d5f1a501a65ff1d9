// java.util.Properties.load, as JDK 17's Properties.LineReader and load0/loadConvert behave:
// logical lines, comments, separators, escapes. ZooKeeper reads zoo.cfg with it
// (QuorumPeerConfig.parse), so every oddity of that format is an oddity of zoo.cfg.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "config/zoo_cfg.h"

namespace zk::config {
namespace {

bool IsPropertySpace(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// Splits text into logical lines the way Properties.LineReader.readLine does.
class LineReader {
 public:
  explicit LineReader(const std::string& text) : text_(text) {}

  // The next logical line (continuations joined, the backslash and the continuation
  // line's leading whitespace dropped) and the offset of its first character. False at
  // the end of the text.
  bool Next(std::string* line, size_t* start) {
    line->clear();
    bool skip_white_space = true;
    bool appended_line_begin = false;
    bool preceding_backslash = false;
    bool have_start = false;
    const size_t n = text_.size();
    while (true) {
      if (pos_ >= n) {
        if (line->empty()) return false;
        if (preceding_backslash) line->pop_back();
        return true;
      }
      char c = text_[pos_++];
      if (skip_white_space) {
        if (IsPropertySpace(c)) continue;
        if (!appended_line_begin && (c == '\r' || c == '\n')) continue;
        skip_white_space = false;
        appended_line_begin = false;
      }
      if (line->empty() && (c == '#' || c == '!')) {
        // A comment runs to the end of its physical line; it is never continued.
        while (pos_ < n && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
        if (pos_ < n) ++pos_;
        skip_white_space = true;
        continue;
      }
      if (c != '\n' && c != '\r') {
        if (!have_start) {
          *start = pos_ - 1;
          have_start = true;
        }
        line->push_back(c);
        preceding_backslash = (c == '\\') ? !preceding_backslash : false;
        continue;
      }
      // End of a physical line.
      if (line->empty()) {
        skip_white_space = true;
        continue;
      }
      if (pos_ >= n) {
        if (preceding_backslash) line->pop_back();
        return true;
      }
      if (!preceding_backslash) return true;
      // An odd number of trailing backslashes continues the logical line.
      line->pop_back();
      skip_white_space = true;
      appended_line_begin = true;
      preceding_backslash = false;
      if (c == '\r' && text_[pos_] == '\n') ++pos_;
    }
  }

 private:
  const std::string& text_;
  size_t pos_ = 0;
};

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Properties.loadConvert: \t \r \n \f, \uXXXX, and \X -> X. Java strings are UTF-16, so
// an escaped surrogate pair (\uD83D\uDE00) is one character; it becomes one UTF-8
// sequence here. A lone surrogate, which UTF-8 cannot carry, becomes U+FFFD.
bool Unescape(const std::string& in, size_t begin, size_t end, std::string* out) {
  out->clear();
  uint32_t pending_high = 0;  // a high surrogate waiting for its low half
  auto flush_pending = [&] {
    if (pending_high != 0) AppendUtf8(0xFFFD, out);
    pending_high = 0;
  };
  size_t i = begin;
  while (i < end) {
    char c = in[i++];
    if (c != '\\') {
      flush_pending();
      out->push_back(c);
      continue;
    }
    if (i >= end) break;  // a lone trailing backslash: LineReader never leaves one
    c = in[i++];
    if (c != 'u') {
      flush_pending();
      switch (c) {
        case 't':
          c = '\t';
          break;
        case 'r':
          c = '\r';
          break;
        case 'n':
          c = '\n';
          break;
        case 'f':
          c = '\f';
          break;
        default:
          break;
      }
      out->push_back(c);
      continue;
    }
    if (end - i < 4) return false;
    uint32_t unit = 0;
    for (int k = 0; k < 4; ++k) {
      int d = HexDigit(in[i++]);
      if (d < 0) return false;
      unit = (unit << 4) | static_cast<uint32_t>(d);
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      flush_pending();
      pending_high = unit;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      if (pending_high != 0) {
        AppendUtf8(0x10000 + ((pending_high - 0xD800) << 10) + (unit - 0xDC00), out);
        pending_high = 0;
      } else {
        AppendUtf8(0xFFFD, out);
      }
    } else {
      flush_pending();
      AppendUtf8(unit, out);
    }
  }
  flush_pending();
  return true;
}

// Offsets where each physical line starts (\n, \r\n and a lone \r end a line, as
// LineReader sees them).
std::vector<size_t> LineStarts(const std::string& text) {
  std::vector<size_t> starts = {0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      starts.push_back(i + 1);
    } else if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      starts.push_back(i + 1);
    }
  }
  return starts;
}

}  // namespace

Status ParseProperties(const std::string& text, std::vector<Property>* out) {
  return ParseProperties(text, "", out);
}

Status ParseProperties(const std::string& text, const std::string& file,
                       std::vector<Property>* out) {
  out->clear();
  const std::vector<size_t> line_starts = LineStarts(text);
  LineReader reader(text);
  std::string line;
  size_t start = 0;
  while (reader.Next(&line, &start)) {
    const int line_no = static_cast<int>(
        std::upper_bound(line_starts.begin(), line_starts.end(), start) - line_starts.begin());
    // Properties.load0: the key ends at the first unescaped '=', ':' or whitespace; then
    // whitespace, at most one '=' or ':', and whitespace again are skipped.
    const size_t limit = line.size();
    size_t key_len = 0;
    size_t value_start = limit;
    bool has_separator = false;
    bool preceding_backslash = false;
    while (key_len < limit) {
      char c = line[key_len];
      if ((c == '=' || c == ':') && !preceding_backslash) {
        value_start = key_len + 1;
        has_separator = true;
        break;
      }
      if (IsPropertySpace(c) && !preceding_backslash) {
        value_start = key_len + 1;
        break;
      }
      preceding_backslash = (c == '\\') ? !preceding_backslash : false;
      ++key_len;
    }
    while (value_start < limit) {
      char c = line[value_start];
      if (!IsPropertySpace(c)) {
        if (!has_separator && (c == '=' || c == ':')) {
          has_separator = true;
        } else {
          break;
        }
      }
      ++value_start;
    }
    Property p;
    p.line = line_no;
    if (!Unescape(line, 0, key_len, &p.key) || !Unescape(line, value_start, limit, &p.value)) {
      std::string where =
          file.empty() ? "line " + std::to_string(line_no) : file + ":" + std::to_string(line_no);
      return Status::InvalidArgument(where +
                                     ": malformed \\uxxxx escape (java.util.Properties "
                                     "needs exactly four hex digits after \\u)");
    }
    out->push_back(std::move(p));
  }
  return Status::OK();
}

}  // namespace zk::config
