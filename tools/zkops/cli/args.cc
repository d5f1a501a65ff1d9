#include "cli/args.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>

namespace zkops::cli {

namespace {

bool IsJavaSpace(char c) {  // java.util.regex \s
  return c == ' ' || c == '\t' || c == '\n' || c == '\x0b' || c == '\f' || c == '\r';
}

const OptionSpec* Find(const std::vector<OptionSpec>& specs, char c) {
  for (const OptionSpec& s : specs) {
    if (s.name == c) return &s;
  }
  return nullptr;
}

bool IsNegativeNumber(const std::string& s) {  // DefaultParser: Double.parseDouble works
  if (s.size() < 2 || s[0] != '-') return false;
  char* end = nullptr;
  errno = 0;
  std::strtod(s.c_str(), &end);
  return end != nullptr && *end == '\0' && std::isdigit(static_cast<unsigned char>(s[1]));
}

}  // namespace

std::vector<std::string> SplitCommandLine(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  const size_t n = line.size();
  while (i < n) {
    while (i < n && IsJavaSpace(line[i])) ++i;
    if (i >= n) break;
    char c = line[i];
    if (c == '"' || c == '\'') {
      size_t close = line.find(c, i + 1);
      if (close == std::string::npos) {
        ++i;  // an unterminated quote matches nothing; the scan resumes after it
        continue;
      }
      out.push_back(line.substr(i + 1, close - i - 1));
      i = close + 1;
      continue;
    }
    size_t j = i;
    while (j < n && !IsJavaSpace(line[j])) ++j;
    std::string word = line.substr(i, j - i);
    // QUOTED_PATTERN ^(['"])(.*)\1$ on the whole word (it never starts with a quote here).
    out.push_back(word);
    i = j;
  }
  return out;
}

bool ParseOptions(const std::vector<std::string>& cmd_args, const std::vector<OptionSpec>& specs,
                  ParsedArgs* out, std::string* error) {
  *out = {};
  const OptionSpec* current = nullptr;  // an option still waiting for its value
  bool skip = false;
  auto unrecognized = [&](const std::string& token) {
    *error = "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: " + token;
    return false;
  };
  auto missing = [&](const OptionSpec* o) {
    *error = std::string(
                 "org.apache.commons.cli.MissingArgumentException: Missing argument "
                 "for option: ") +
             o->name;
    return false;
  };
  auto is_option = [&](const std::string& t) {  // DefaultParser.isShortOption
    if (t.size() < 2 || t[0] != '-' || t[1] == '-') return false;
    return Find(specs, t[1]) != nullptr;
  };
  for (const std::string& token : cmd_args) {
    if (skip) {
      out->args.push_back(token);
      continue;
    }
    if (current != nullptr && (!is_option(token) || IsNegativeNumber(token))) {
      out->values[current->name] = token;
      current = nullptr;
      continue;
    }
    if (token == "--") {
      skip = true;
      continue;
    }
    if (token.size() > 1 && token[0] == '-') {
      if (token[1] == '-') return unrecognized(token);  // no long options in zkCli
      if (current != nullptr) return missing(current);
      std::string t = token.substr(1);
      size_t eq = t.find('=');
      if (eq != std::string::npos) {  // -v=3
        const OptionSpec* o = eq == 1 ? Find(specs, t[0]) : nullptr;
        if (o == nullptr || !o->has_arg) return unrecognized(token);
        out->values[o->name] = t.substr(eq + 1);
        continue;
      }
      // -s, -se (concatenated flags), -t3600 (value attached)
      for (size_t i = 0; i < t.size(); ++i) {
        const OptionSpec* o = Find(specs, t[i]);
        if (o == nullptr) return unrecognized(token);
        if (current != nullptr) return missing(current);
        out->values[o->name] = "";
        if (o->has_arg) {
          if (i + 1 < t.size()) {
            out->values[o->name] = t.substr(i + 1);
          } else {
            current = o;
          }
          break;
        }
      }
      continue;
    }
    out->args.push_back(token);
  }
  if (current != nullptr) return missing(current);
  return true;
}

bool ParseJavaLong(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  for (size_t j = i; j < s.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(s[j]))) return false;
  }
  errno = 0;
  long long v = std::strtoll(s.c_str(), nullptr, 10);
  if (errno == ERANGE) return false;
  *out = v;
  return true;
}

bool ParseJavaInt(const std::string& s, int32_t* out) {
  int64_t v = 0;
  if (!ParseJavaLong(s, &v) || v < INT32_MIN || v > INT32_MAX) return false;
  *out = static_cast<int32_t>(v);
  return true;
}

}  // namespace zkops::cli
