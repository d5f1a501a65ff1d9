#include "state/path.h"

#include <cstdint>

namespace zk::state {
namespace {

// Decodes one UTF-8 sequence at s[i]. Returns the code point and advances *i, or returns
// 0xFFFD (what Java's decoder substitutes) for a malformed sequence, advancing one byte.
uint32_t DecodeUtf8(std::string_view s, size_t* i) {
  const auto b0 = static_cast<uint8_t>(s[*i]);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int extra = 0;
  uint32_t cp = 0;
  uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++*i;
    return 0xFFFD;
  }
  if (*i + extra >= s.size()) {
    ++*i;
    return 0xFFFD;
  }
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<uint8_t>(s[*i + k]);
    if ((b & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return 0xFFFD;
  }
  *i += extra + 1;
  return cp;
}

bool IsRejectedChar(uint32_t cp) {
  return (cp > 0x0000 && cp <= 0x001F) || (cp >= 0x007F && cp <= 0x009F) ||
         (cp >= 0xD800 && cp <= 0xF8FF) || (cp >= 0xFFF0 && cp <= 0xFFFF) ||
         cp > 0xFFFF;  // a surrogate pair in Java: its high half is in D800-DBFF
}

}  // namespace

bool ValidatePath(std::string_view path, bool sequential) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() == 1) return true;  // the root; with `sequential` "/" + "1" is valid too
  if (path.back() == '/' && !sequential) return false;
  // Walk components: each must be non-empty and not "." or "..".
  size_t start = 1;
  while (true) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view comp = path.substr(start, end - start);
    const bool last = slash == std::string_view::npos;
    // With `sequential` the last component gets a suffix, so an empty or "." last component
    // becomes "1" / ".1", which is valid.
    const bool suffixed = sequential && last;
    if (comp.empty() && !suffixed) return false;
    if ((comp == "." || comp == "..") && !suffixed) return false;
    if (last) break;
    start = slash + 1;
  }
  for (size_t i = 1; i < path.size();) {
    if (path[i] == '\0') return false;
    if (IsRejectedChar(DecodeUtf8(path, &i))) return false;
  }
  return true;
}

std::string_view ParentOf(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {};
  if (slash == 0) return path.size() > 1 ? path.substr(0, 1) : std::string_view();
  return path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return path;
  return path.substr(slash + 1);
}

size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (const char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if ((b & 0xC0) != 0x80) ++n;
    if ((b & 0xF8) == 0xF0) ++n;  // a code point above U+FFFF is two UTF-16 units
  }
  return n;
}

}  // namespace zk::state
