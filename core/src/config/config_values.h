// Value parsing shared by the zoo.cfg parser and the plugin-key checks. Internal to
// core/src/config.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/zoo_cfg.h"
#include "zk/status.h"

namespace zk::config::internal {

// String.trim(): drops every char <= ' ' at both ends (QuorumPeerConfig trims keys and values).
std::string JavaTrim(const std::string& s);

// String.split(regex-free delimiter): trailing empty pieces dropped; "" gives {""}.
std::vector<std::string> JavaSplit(const std::string& s, char delim);

// "FILE:LINE" ("zoo.cfg:LINE" when the file has no name).
std::string Where(const std::string& file, int line);

// "FILE:LINE: key 'k': why"
Status KeyError(const std::string& file, const Property& p, const std::string& why);
// "FILE:LINE: key 'k': value 'v' why"
Status ValueError(const std::string& file, const Property& p, const std::string& why);

// Long.parseLong: optional sign, decimal digits, no spaces.
bool ParseDecimal(const std::string& s, int64_t* out);
// Integer.decode, which ZooKeeper's system-property keys go through (Integer.getInteger):
// optional sign, then 0x/0X/# hex, 0 octal, or decimal.
bool ParseDecoded(const std::string& s, int64_t* out);

// Case-insensitive true/false, as QuorumPeerConfig.parseBoolean.
bool ParseJavaBool(const std::string& s, bool* out);

// Integer value of p within [min, max]; `decoded` selects Integer.decode syntax.
Status IntValue(const std::string& file, const Property& p, int64_t min, int64_t max, bool decoded,
                int64_t* out);
Status BoolValue(const std::string& file, const Property& p, bool* out);

// Joins with ", ".
std::string Join(const std::vector<std::string>& items);

}  // namespace zk::config::internal
