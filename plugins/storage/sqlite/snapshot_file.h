// Snapshot files in dataDir: `snapshot.<index>` (decimal raft index), written to
// `snapshot.<index>.tmp`, fsynced, renamed, then the directory fsynced, so a file with the
// final name is always complete (the pattern ZooKeeper's FileTxnSnapLog relies on).
//
// On-disk format, little-endian (one line per version):
//   v1: "ZKSNAP\0\0" | u32 version=1 | u64 index | u64 term | u32 config_len | u64 data_len
//       | config bytes | data bytes | u32 crc32 (zlib) of every byte before it
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "zk/status.h"
#include "zk/storage.h"

namespace zk::storage_sqlite {

inline constexpr char kSnapshotPrefix[] = "snapshot.";
inline constexpr char kTempSuffix[] = ".tmp";

// <dir>/snapshot.<index>
std::string SnapshotPath(const std::string& dir, uint64_t index);

// Indexes of the `snapshot.<index>` files in `dir` (temp files excluded), newest first.
Status ListSnapshots(const std::string& dir, std::vector<uint64_t>* indexes);

// Writes `snapshot` durably (temp file, fsync, rename, directory fsync). Adds the number of
// fsyncs done to `*fsyncs`. Any thread; touches only the files of this index.
Status WriteSnapshotFile(const std::string& dir, const Snapshot& snapshot,
                         std::atomic<uint64_t>* fsyncs);

// Reads and verifies one file: size, magic, version, index against the file name, CRC.
// kCorruption messages name the file and the byte position ("... snapshot.500: truncated at
// byte 4096 of 1048620"); kIoError when it cannot be read.
Status ReadSnapshotFile(const std::string& dir, uint64_t index, Snapshot* out);

// Deletes every snapshot file but the newest `retain` (at least 1). Returns how many remain.
// Deletion failures are reported in `*warnings` and do not fail the call.
size_t PurgeSnapshots(const std::string& dir, int retain, std::vector<std::string>* warnings);

// Deletes leftover `snapshot.*.tmp` files (a crash while writing; never acknowledged) and
// appends one warning per file.
void RemoveTempSnapshots(const std::string& dir, std::vector<std::string>* warnings);

// fsync of a directory, so a rename or creation in it survives a crash.
Status SyncDir(const std::string& dir);

}  // namespace zk::storage_sqlite
