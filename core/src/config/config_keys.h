// The zoo.cfg keys we know: ours, and ZooKeeper 3.8's that we accept and ignore. Internal
// to core/src/config.
#pragma once

#include <string>
#include <vector>

namespace zk::config::internal {

// Keys zknode implements (plugin.* included; server.X and <kind>.<name>.<key> are patterns,
// not listed).
const std::vector<std::string>& ImplementedKeys();

// A key ZooKeeper 3.8 reads (QuorumPeerConfig, or a `zookeeper.<key>` system property that
// zoo.cfg sets) and zknode ignores. Also true for the same key written with the
// `zookeeper.` prefix of its system property.
bool IsUnimplementedZooKeeperKey(const std::string& key);

// A ZooKeeper key that changes who votes (dynamicConfigFile, group.X, weight.X): ignoring
// it would run a different ensemble than the file describes, so it is an error. `why`
// says what to do instead.
bool IsRefusedZooKeeperKey(const std::string& key, std::string* why);

// Damerau-Levenshtein (optimal string alignment) distance, ASCII case folded.
int EditDistance(const std::string& a, const std::string& b);

// The candidate closest to `word` when it is close enough to be a likely typo, else "".
std::string Closest(const std::string& word, const std::vector<std::string>& candidates);

// The known key an unknown one was probably meant to be, or "".
std::string SuggestKey(const std::string& key);

}  // namespace zk::config::internal
