// Fuzz target: the sqlite storage plugin's snapshot file reader (ReadSnapshotFile,
// plugins/storage/sqlite/snapshot_file.cc, compiled into this target: the plugin is a MODULE
// library). The reader takes a directory and an index, so each input is written to
// <scratch>/snapshot.<index> (under $TMPDIR, else /dev/shm) and read back.
// The first input byte holds flags, the rest is the file:
//   bit 0: fill in the right CRC32 trailer, so mutated files get past the checksum;
//   bit 1: make config_len/data_len add up to the file's size (config_len kept modulo room);
//   bit 2: name the file after the header's index + 1 (the mismatch path), else after it.
// Checked: errors are Corruption; a file that reads back is written again byte for byte the
// same by the writer of its version (WriteSnapshotFile for v1, SnapshotFileWriter for v2).
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "common/check.h"
#include "snapshot_file.h"

namespace {

namespace fs = std::filesystem;
using namespace zk;
using namespace zk::storage_sqlite;

constexpr size_t kHeader = 40;

uint64_t GetLe(const std::string& s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(s[at + i])} << (8 * i);
  return v;
}

void PutLe(std::string* s, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) (*s)[at + i] = static_cast<char>(v >> (8 * i));
}

// Never destroyed: the atexit cleanup runs after static destructors would have.
const std::string& ScratchDir() {
  static const std::string* dir = [] {
    // $TMPDIR if set (fuzz_run.sh points it into its scratch directory, removed even after
    // a crash), else /dev/shm: fsync is free there.
    const char* tmpdir = std::getenv("TMPDIR");
    std::string base = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir
                       : access("/dev/shm", W_OK) == 0      ? "/dev/shm"
                                                             : "/tmp";
    auto* tmpl = new std::string(base + "/zk-sqlite-snapshot-fuzz-XXXXXX");
    ZK_CHECK(mkdtemp(tmpl->data()) != nullptr);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(ScratchDir(), ec);
    });
    return tmpl;
  }();
  return *dir;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void Clear(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) fs::remove(e.path(), ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  uint64_t index = 0;
  if (file.size() >= kHeader + 4) {
    if (flags & 2) {
      const uint64_t room = file.size() - kHeader - 4;
      const uint64_t config_len = GetLe(file, 28, 4) % (room + 1);
      PutLe(&file, 28, config_len, 4);
      PutLe(&file, 32, room - config_len, 8);
    }
    if (flags & 1) {
      const size_t body = file.size() - 4;
      uLong crc = crc32(0, reinterpret_cast<const Bytef*>(file.data()), static_cast<uInt>(body));
      PutLe(&file, body, crc, 4);
    }
    index = GetLe(file, 12, 8);
  }
  if (flags & 4) ++index;

  const std::string& dir = ScratchDir();
  {
    std::ofstream out(SnapshotPath(dir, index), std::ios::binary | std::ios::trunc);
    out.write(file.data(), static_cast<std::streamsize>(file.size()));
    ZK_CHECK(out.good());
  }
  Snapshot snap;
  Status s = ReadSnapshotFile(dir, index, &snap);
  Clear(dir);
  if (!s.ok()) {
    ZK_CHECK(s.code() == Status::Code::kCorruption);
    return 0;
  }
  ZK_CHECK(snap.meta.index == index);
  ZK_CHECK(kHeader + snap.meta.configuration.size() + snap.data.size() + 4 == file.size());

  // Write it again with the writer of its format version: the same bytes must come out.
  const uint32_t version = static_cast<uint32_t>(GetLe(file, 8, 4));
  std::atomic<uint64_t> fsyncs{0};
  if (version == 1) {
    ZK_CHECK(WriteSnapshotFile(dir, snap, &fsyncs).ok());
  } else {
    ZK_CHECK(version == 2);
    SnapshotFileWriter w(dir);
    ZK_CHECK(w.status().ok());
    // Two pieces, so the writer's running CRC over separate writes is exercised.
    const size_t half = snap.data.size() / 2;
    ZK_CHECK(w.Write(snap.data.data(), half).ok());
    ZK_CHECK(w.Write(snap.data.data() + half, snap.data.size() - half).ok());
    ZK_CHECK(w.Finish(snap.meta, &fsyncs).ok());
  }
  const std::string written = ReadAll(SnapshotPath(dir, index));
  Clear(dir);
  ZK_CHECK(written == file);
  return 0;
}
