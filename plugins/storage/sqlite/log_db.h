// zk.db in dataLogDir: term/vote and the log, in SQLite (WAL journal, one connection held
// in EXCLUSIVE locking mode so a second zknode on the same directory fails at Open instead
// of interleaving writes).
//
// Schema, PRAGMA user_version (one line per version):
//   v1: state(id=1, term, voted_for, crc), log(idx INTEGER PRIMARY KEY, term, type, data, crc)
// Every row carries a zlib crc32 of its fields, so a flipped byte that SQLite's WAL
// checksums cannot see (they cover only the WAL, not the checkpointed file) is still caught.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "counting_vfs.h"
#include "zk/status.h"
#include "zk/storage.h"

namespace zk::storage_sqlite {

// crc32 over (index, term, type) little-endian, then data. Stored in log.crc.
uint32_t EntryCrc(uint64_t index, uint64_t term, uint8_t type, const std::string& data);

// Not thread-safe: one thread at a time (SqliteStorage serialises with its db mutex).
class LogDb {
 public:
  LogDb() = default;
  ~LogDb() { Close(); }
  LogDb(const LogDb&) = delete;
  LogDb& operator=(const LogDb&) = delete;

  // Opens or creates `path` through `vfs` (REQUIRES: registered, outlives this object).
  // `full_sync`: PRAGMA synchronous=FULL (fsync the WAL at every commit) else NORMAL.
  // IoError "... is in use by another process" when another connection holds it.
  Status Open(const std::string& path, CountingVfs* vfs, bool full_sync);
  // Checkpoints the WAL into zk.db and removes it (SQLite does this on the last close).
  void Close();

  Status Begin();
  Status Commit();  // the durability point: with synchronous=FULL, fsync of the WAL
  void Rollback();

  Status PutTermVote(uint64_t term, uint64_t voted_for);
  Status Insert(const LogEntry& entry);
  Status DeleteFrom(uint64_t index);  // every entry with idx >= index
  Status DeleteUpTo(uint64_t index);  // every entry with idx <= index

  // Term and vote, 0/0 when never set. kCorruption when the row fails its checksum.
  Status ReadTermVote(uint64_t* term, uint64_t* voted_for);
  // Verifies every stored entry (checksum, contiguity) and returns those with idx > `after`
  // in `out`. `first`/`last`: smallest and largest stored index (0 when the log is empty).
  Status ReadEntries(uint64_t after, std::vector<LogEntry>* out, uint64_t* first, uint64_t* last);
  Status LastIndex(uint64_t* last);

  // Frames in the WAL after the last commit (from sqlite3_wal_hook).
  int wal_frames() const { return wal_frames_; }
  // PASSIVE checkpoint: copies WAL frames into zk.db (two fsyncs) so the WAL can restart.
  Status Checkpoint();

  const std::string& path() const { return path_; }

 private:
  Status Exec(const char* sql);
  Status Prepare(const char* sql, sqlite3_stmt** stmt);
  Status StepDone(sqlite3_stmt* stmt);  // step once, expect SQLITE_DONE, reset
  Status Error(int rc, const std::string& what) const;
  static int WalHook(void* self, sqlite3* db, const char* name, int frames);

  sqlite3* db_ = nullptr;
  std::string path_;
  int wal_frames_ = 0;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* put_state_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* delete_from_ = nullptr;
  sqlite3_stmt* delete_up_to_ = nullptr;
};

}  // namespace zk::storage_sqlite
