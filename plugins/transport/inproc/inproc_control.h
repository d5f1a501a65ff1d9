// Test controls of the inproc transport, exported from libzk_transport_inproc.so with
// BOOST_DLL_ALIAS so a test reaches them through the same loaded library (and so the same
// registry) as its transports:
//
//   auto partition = lib.get_alias<zk_inproc_partition_fn>("zk_inproc_partition");
//
// A group is a comma-separated list of transport names (transport.inproc.name) and
// "host:port" endpoints; an endpoint stands for the transport listening on it, so the
// addresses of zoo.cfg (server.N=host:quorumPort:electionPort) can be used directly.
// Rules apply to every transport of the process. Any thread.
#pragma once

#include <cstdint>

extern "C" {

// Drops all traffic between the two groups: connections crossing the cut end on both sides
// with OnClosed(id, "inproc: partitioned") (bytes in flight are lost, as with a reset TCP
// connection; a byte stream never silently skips bytes), and new connects across it fail.
// Returns the number of connections cut.
typedef int zk_inproc_partition_fn(const char* group_a, const char* group_b);

// Delays bytes (and EOF) between the two groups, both directions, by `delay_ms` of the
// receiving host's clock (Host::NowMs/StartTimer, so a fake clock drives it). Order within a
// connection is kept when the delay changes. 0 removes the rule. Returns 0, or -1 if
// delay_ms < 0.
typedef int zk_inproc_set_delay_fn(const char* group_a, const char* group_b, int64_t delay_ms);

// Removes every partition and delay rule; connects succeed again (cut connections stay cut).
typedef void zk_inproc_heal_fn();

}  // extern "C"
