// Snapshot files in dataDir: `snapshot.<index>` (decimal raft index), written to
// `snapshot.<index>.tmp`, fsynced, renamed, then the directory fsynced, so a file with the
// final name is always complete (the pattern ZooKeeper's FileTxnSnapLog relies on).
//
// On-disk format, little-endian (one line per version):
//   v1: "ZKSNAP\0\0" | u32 version=1 | u64 index | u64 term | u32 config_len | u64 data_len
//       | config bytes | data bytes | u32 crc32 (zlib) of every byte before it
//   v2: the same header with version=2 | data bytes | config bytes | u32 crc32 of every byte
//       before it. The data comes first so that a streamed snapshot is written before its
//       metadata is known (SnapshotFileWriter); the header is filled in last.
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

// A snapshot file written as a stream (format v2): Write appends data to
// `snapshot.stream-<n>.tmp`; Finish adds the metadata, fsyncs, renames it to
// `snapshot.<index>` and fsyncs the directory. Destroyed unfinished, it deletes the temp
// file. One thread at a time.
class SnapshotFileWriter final : public SnapshotWriter {
 public:
  // Creates the temp file in `dir`; check status() before use.
  explicit SnapshotFileWriter(const std::string& dir);
  ~SnapshotFileWriter() override;
  SnapshotFileWriter(const SnapshotFileWriter&) = delete;
  SnapshotFileWriter& operator=(const SnapshotFileWriter&) = delete;

  Status Write(const char* data, size_t size) override;
  uint64_t size() const override { return data_len_; }
  // The first error so far (creating the file or a Write).
  const Status& status() const { return status_; }
  // Completes the file durably as snapshot.<meta.index>. Adds its fsyncs to `*fsyncs`.
  Status Finish(const SnapshotMeta& meta, std::atomic<uint64_t>* fsyncs);

 private:
  std::string dir_;
  std::string tmp_;
  int fd_ = -1;
  uint64_t data_len_ = 0;
  uint32_t data_crc_ = 0;
  bool finished_ = false;
  Status status_;
};

// Reads and verifies one file (v1 or v2): size, magic, version, index against the file name,
// CRC. kNotFound when the file does not exist.
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
