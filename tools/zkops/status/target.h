// What `zkops status` probes: a list of servers, each a client port and optionally an
// AdminServer port. The list comes from --servers (ParseServerList) or, later, from an
// inventory environment; nothing below depends on where it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zkops::status {

inline constexpr uint16_t kDefaultClientPort = 2181;

struct Target {
  std::string name;  // "" = derive one: "server.<id>" once conf tells the id, else "#<index>"
  std::string host;  // name or literal address; IPv6 without brackets
  uint16_t client_port = kDefaultClientPort;
  // The AdminServer's HTTP port. Off unless given: 8080 is ZooKeeper's default, but probing
  // it blindly would hit whatever else owns 8080 (operations.md §6.3).
  std::optional<uint16_t> admin_port;
  std::optional<int64_t> expected_id;  // myid the inventory expects; checked against conf

  std::string Address() const;  // "host:port", "[::1]:2181" for IPv6
};

// Parses --servers: comma-separated "host[:clientport[:adminport]]", IPv6 as
// "[addr]:port[:adminport]". Empty entries are an error, as are ports outside 1..65535 and
// the same host:clientport twice. On error returns false and says why in `error`.
bool ParseServerList(std::string_view text, std::vector<Target>* out, std::string* error);

}  // namespace zkops::status
