// ZooKeeper znode path rules (PathUtils.validatePath in ZooKeeper 3.8) and path helpers.
// Pure functions, no allocation, any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace zk::state {

// True if `path` is a valid znode path: starts with '/', has no empty component, does not end
// in '/' (except the root "/"), has no "." or ".." component, and contains no character that
// ZooKeeper rejects: U+0000-U+001F, U+007F-U+009F, U+D800-U+F8FF, U+FFF0-U+FFFF. Java checks
// UTF-16 code units, so any code point above U+FFFF (a surrogate pair) and any malformed UTF-8
// (decoded by Java to U+FFFD) are rejected too.
// `sequential`: the server appends a 10-digit suffix, so a trailing '/' is allowed
// (PathUtils.validatePath(path + "1")).
bool ValidatePath(std::string_view path, bool sequential = false);

// "/a/b" -> "/a", "/a" -> "/", "/" -> "" (the root has no parent). For a path without '/'
// returns "". REQUIRES: nothing; works on any string.
std::string_view ParentOf(std::string_view path);

// "/a/b" -> "b", "/a" -> "a", "/" -> "".
std::string_view BaseName(std::string_view path);

// Length of `s` in UTF-16 code units, as Java's String.length() counts a path (ZooKeeper's
// approximate data size). Counts bytes that start a UTF-8 sequence; 4-byte sequences count 2.
size_t Utf16Length(std::string_view s);

}  // namespace zk::state
