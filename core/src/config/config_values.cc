#include "config/config_values.h"

#include <cctype>
#include <limits>

namespace zk::config::internal {

std::string JavaTrim(const std::string& s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && static_cast<unsigned char>(s[b]) <= ' ') ++b;
  while (e > b && static_cast<unsigned char>(s[e - 1]) <= ' ') --e;
  return s.substr(b, e - b);
}

std::vector<std::string> JavaSplit(const std::string& s, char delim) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(delim, start);
    if (pos == std::string::npos) {
      parts.push_back(s.substr(start));
      break;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  if (parts.size() == 1) return parts;  // no delimiter: the input itself, even if empty
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

std::string Where(const std::string& file, int line) {
  return (file.empty() ? std::string("zoo.cfg") : file) + ":" + std::to_string(line);
}

Status KeyError(const std::string& file, const Property& p, const std::string& why) {
  return Status::InvalidArgument(Where(file, p.line) + ": key '" + p.key + "': " + why);
}

Status ValueError(const std::string& file, const Property& p, const std::string& why) {
  return KeyError(file, p, "value '" + p.value + "' " + why);
}

namespace {

bool ParseDigits(const std::string& s, size_t pos, int base, bool negative, int64_t* out) {
  if (pos >= s.size()) return false;
  // Accumulate as a negative number so that INT64_MIN parses, as Long.parseLong does.
  int64_t value = 0;
  const int64_t min = std::numeric_limits<int64_t>::min();
  for (; pos < s.size(); ++pos) {
    const char c = s[pos];
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (value < min / base) return false;
    value *= base;
    if (value < min + d) return false;
    value -= d;
  }
  if (!negative) {
    if (value == min) return false;
    value = -value;
  }
  *out = value;
  return true;
}

}  // namespace

bool ParseDecimal(const std::string& s, int64_t* out) {
  size_t pos = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    pos = 1;
  }
  return ParseDigits(s, pos, 10, negative, out);
}

bool ParseDecoded(const std::string& s, int64_t* out) {
  size_t pos = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    pos = 1;
  }
  int base = 10;
  if (s.compare(pos, 2, "0x") == 0 || s.compare(pos, 2, "0X") == 0) {
    base = 16;
    pos += 2;
  } else if (s.compare(pos, 1, "#") == 0) {
    base = 16;
    pos += 1;
  } else if (s.compare(pos, 1, "0") == 0 && s.size() > pos + 1) {
    base = 8;
    pos += 1;
  }
  // Integer.decode rejects a second sign after the radix prefix.
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) return false;
  return ParseDigits(s, pos, base, negative, out);
}

bool ParseJavaBool(const std::string& s, bool* out) {
  std::string lower;
  for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "true") {
    *out = true;
    return true;
  }
  if (lower == "false") {
    *out = false;
    return true;
  }
  return false;
}

Status IntValue(const std::string& file, const Property& p, int64_t min, int64_t max, bool decoded,
                int64_t* out) {
  int64_t v = 0;
  if (!(decoded ? ParseDecoded(p.value, &v) : ParseDecimal(p.value, &v))) {
    return ValueError(file, p, "is not a number");
  }
  if (v < min || v > max) {
    std::string range;
    if (max == std::numeric_limits<int32_t>::max() || max == std::numeric_limits<int64_t>::max()) {
      range = "must be >= " + std::to_string(min);
    } else {
      range = "must be in " + std::to_string(min) + ".." + std::to_string(max);
    }
    return ValueError(file, p, "is out of range: " + range);
  }
  *out = v;
  return Status::OK();
}

Status BoolValue(const std::string& file, const Property& p, bool* out) {
  if (!ParseJavaBool(p.value, out)) {
    return ValueError(file, p, "is not a boolean: choose 'true' or 'false'");
  }
  return Status::OK();
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace zk::config::internal
