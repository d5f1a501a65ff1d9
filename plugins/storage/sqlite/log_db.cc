#include "log_db.h"

#include <zlib.h>

namespace zk::storage_sqlite {
namespace {

constexpr int kSchemaVersion = 1;
// A WAL larger than this is cut back when it restarts (journal_size_limit), so one burst
// does not leave a huge file behind.
constexpr int64_t kWalSizeLimit = 64 << 20;

uint32_t Crc(uint32_t crc, const void* p, size_t n) {
  return static_cast<uint32_t>(crc32(crc, static_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

void PutLe(unsigned char* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

uint32_t StateCrc(uint64_t term, uint64_t voted_for) {
  unsigned char b[16];
  PutLe(b, term, 8);
  PutLe(b + 8, voted_for, 8);
  return Crc(0, b, sizeof(b));
}

// SQLite integers are signed 64-bit; indexes, terms and ids round-trip bit for bit.
sqlite3_int64 I64(uint64_t v) { return static_cast<sqlite3_int64>(v); }
uint64_t U64(sqlite3_int64 v) { return static_cast<uint64_t>(v); }

}  // namespace

uint32_t EntryCrc(uint64_t index, uint64_t term, uint8_t type, const std::string& data) {
  unsigned char b[17];
  PutLe(b, index, 8);
  PutLe(b + 8, term, 8);
  b[16] = type;
  uint32_t crc = Crc(0, b, sizeof(b));
  // data is at most SQLite's 1 GB blob limit, below uInt's range.
  return Crc(crc, data.data(), data.size());
}

Status LogDb::Error(int rc, const std::string& what) const {
  std::string msg =
      path_ + ": " + what + ": " + (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Status::IoError(path_ + " is in use by another process (database is locked)");
  }
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::Corruption(msg);
  return Status::IoError(msg);
}

Status LogDb::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  return rc == SQLITE_OK ? Status::OK() : Error(rc, sql);
}

Status LogDb::Prepare(const char* sql, sqlite3_stmt** stmt) {
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr);
  return rc == SQLITE_OK ? Status::OK() : Error(rc, std::string("prepare ") + sql);
}

Status LogDb::StepDone(sqlite3_stmt* stmt) {
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return rc == SQLITE_DONE ? Status::OK() : Error(rc, sqlite3_sql(stmt));
}

int LogDb::WalHook(void* self, sqlite3*, const char*, int frames) {
  static_cast<LogDb*>(self)->wal_frames_ = frames;
  return SQLITE_OK;
}

Status LogDb::Open(const std::string& path, CountingVfs* vfs, bool full_sync) {
  path_ = path;
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           vfs->name());
  if (rc != SQLITE_OK) {
    Status s = Error(rc, "open");
    Close();
    return s;
  }
  sqlite3_extended_result_codes(db_, 1);
  // EXCLUSIVE before WAL: the wal-index then lives in heap memory (no -shm file) and the
  // file lock is held until Close (sqlite.org/wal.html "Use of WAL Without Shared-Memory").
  Status s = Exec("PRAGMA locking_mode=EXCLUSIVE");
  if (s.ok()) {
    sqlite3_stmt* st = nullptr;
    s = Prepare("PRAGMA journal_mode=WAL", &st);
    if (s.ok()) {
      rc = sqlite3_step(st);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        s = Status::IoError(path_ + " is in use by another process (database is locked)");
      } else if (rc != SQLITE_ROW) {
        s = Error(rc, "PRAGMA journal_mode=WAL");
      } else if (std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) != "wal") {
        s = Status::IoError(path_ + ": cannot switch to WAL journal mode");
      }
      sqlite3_finalize(st);
    }
  }
  if (s.ok()) s = Exec(full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  if (s.ok()) {
    s = Exec(("PRAGMA journal_size_limit=" + std::to_string(kWalSizeLimit)).c_str());
  }
  // Our own wal hook replaces SQLite's auto-checkpoint: SqliteStorage checkpoints after it
  // has acknowledged a batch, not inside the commit that the batch waits on.
  if (s.ok()) sqlite3_wal_hook(db_, &LogDb::WalHook, this);

  int version = -1;
  if (s.ok()) {
    sqlite3_stmt* st = nullptr;
    s = Prepare("PRAGMA user_version", &st);
    if (s.ok()) {
      rc = sqlite3_step(st);
      if (rc == SQLITE_ROW) {
        version = sqlite3_column_int(st, 0);
      } else {
        s = Error(rc, "PRAGMA user_version");
      }
      sqlite3_finalize(st);
    }
  }
  if (s.ok() && version > kSchemaVersion) {
    s = Status::NotSupported(path_ + ": format version " + std::to_string(version) +
                             " is newer than this plugin's (" + std::to_string(kSchemaVersion) +
                             ")");
  }
  if (s.ok() && version == 0) {
    s = Exec(
        "BEGIN;"
        "CREATE TABLE IF NOT EXISTS state(id INTEGER PRIMARY KEY CHECK (id = 1),"
        " term INTEGER NOT NULL, voted_for INTEGER NOT NULL, crc INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS log(idx INTEGER PRIMARY KEY, term INTEGER NOT NULL,"
        " type INTEGER NOT NULL, data BLOB NOT NULL, crc INTEGER NOT NULL);"
        "PRAGMA user_version=1;"
        "COMMIT;");
  }
  if (s.ok()) s = Prepare("BEGIN", &begin_);
  if (s.ok()) s = Prepare("COMMIT", &commit_);
  if (s.ok()) s = Prepare("ROLLBACK", &rollback_);
  if (s.ok()) {
    s = Prepare("INSERT OR REPLACE INTO state(id, term, voted_for, crc) VALUES(1, ?, ?, ?)",
                &put_state_);
  }
  if (s.ok()) {
    s = Prepare("INSERT INTO log(idx, term, type, data, crc) VALUES(?, ?, ?, ?, ?)", &insert_);
  }
  if (s.ok()) s = Prepare("DELETE FROM log WHERE idx >= ?", &delete_from_);
  if (s.ok()) s = Prepare("DELETE FROM log WHERE idx <= ?", &delete_up_to_);
  if (!s.ok()) Close();
  return s;
}

void LogDb::Close() {
  for (sqlite3_stmt** st :
       {&begin_, &commit_, &rollback_, &put_state_, &insert_, &delete_from_, &delete_up_to_}) {
    sqlite3_finalize(*st);
    *st = nullptr;
  }
  if (db_ != nullptr) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
}

Status LogDb::Begin() { return StepDone(begin_); }
Status LogDb::Commit() { return StepDone(commit_); }
void LogDb::Rollback() {
  if (!sqlite3_get_autocommit(db_)) StepDone(rollback_);
}

Status LogDb::PutTermVote(uint64_t term, uint64_t voted_for) {
  sqlite3_bind_int64(put_state_, 1, I64(term));
  sqlite3_bind_int64(put_state_, 2, I64(voted_for));
  sqlite3_bind_int64(put_state_, 3, StateCrc(term, voted_for));
  return StepDone(put_state_);
}

Status LogDb::Insert(const LogEntry& e) {
  sqlite3_bind_int64(insert_, 1, I64(e.index));
  sqlite3_bind_int64(insert_, 2, I64(e.term));
  sqlite3_bind_int(insert_, 3, e.type);
  // std::string::data() is never null, so an empty entry is an empty BLOB, not NULL.
  sqlite3_bind_blob64(insert_, 4, e.data.data(), e.data.size(), SQLITE_STATIC);
  sqlite3_bind_int64(insert_, 5, EntryCrc(e.index, e.term, e.type, e.data));
  return StepDone(insert_);
}

Status LogDb::DeleteFrom(uint64_t index) {
  sqlite3_bind_int64(delete_from_, 1, I64(index));
  return StepDone(delete_from_);
}

Status LogDb::DeleteUpTo(uint64_t index) {
  sqlite3_bind_int64(delete_up_to_, 1, I64(index));
  return StepDone(delete_up_to_);
}

Status LogDb::ReadTermVote(uint64_t* term, uint64_t* voted_for) {
  *term = 0;
  *voted_for = 0;
  sqlite3_stmt* st = nullptr;
  Status s = Prepare("SELECT term, voted_for, crc FROM state WHERE id = 1", &st);
  if (!s.ok()) return s;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    uint64_t t = U64(sqlite3_column_int64(st, 0));
    uint64_t v = U64(sqlite3_column_int64(st, 1));
    if (static_cast<uint32_t>(sqlite3_column_int64(st, 2)) != StateCrc(t, v)) {
      s = Status::Corruption("term/vote in " + path_ + ": checksum mismatch");
    } else {
      *term = t;
      *voted_for = v;
    }
  } else if (rc != SQLITE_DONE) {
    s = Error(rc, "read term/vote");
  }
  sqlite3_finalize(st);
  return s;
}

Status LogDb::ReadEntries(uint64_t after, std::vector<LogEntry>* out, uint64_t* first,
                          uint64_t* last) {
  out->clear();
  *first = 0;
  *last = 0;
  sqlite3_stmt* st = nullptr;
  Status s = Prepare("SELECT idx, term, type, data, crc FROM log ORDER BY idx", &st);
  if (!s.ok()) return s;
  uint64_t prev = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    LogEntry e;
    e.index = U64(sqlite3_column_int64(st, 0));
    e.term = U64(sqlite3_column_int64(st, 1));
    int type = sqlite3_column_int(st, 2);
    const void* blob = sqlite3_column_blob(st, 3);
    int size = sqlite3_column_bytes(st, 3);
    if (blob != nullptr) e.data.assign(static_cast<const char*>(blob), size);
    uint32_t crc = static_cast<uint32_t>(sqlite3_column_int64(st, 4));
    const std::string where = "log entry " + std::to_string(e.index) + " in " + path_ + ": ";
    if (type < 0 || type > 255 ||
        crc != EntryCrc(e.index, e.term, static_cast<uint8_t>(type), e.data)) {
      s = Status::Corruption(where + "checksum mismatch");
      break;
    }
    e.type = static_cast<uint8_t>(type);
    if (prev != 0 && e.index != prev + 1) {
      s = Status::Corruption(where + "not contiguous, the entry before it is " +
                             std::to_string(prev));
      break;
    }
    if (prev == 0) *first = e.index;
    prev = e.index;
    if (e.index > after) out->push_back(std::move(e));
  }
  if (s.ok() && rc != SQLITE_DONE) {
    s = Error(rc, "read the log after entry " + std::to_string(prev));
  }
  sqlite3_finalize(st);
  *last = prev;
  return s;
}

Status LogDb::LastIndex(uint64_t* last) {
  *last = 0;
  sqlite3_stmt* st = nullptr;
  Status s = Prepare("SELECT max(idx) FROM log", &st);
  if (!s.ok()) return s;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *last = U64(sqlite3_column_int64(st, 0));  // NULL (empty log) reads as 0
  } else {
    s = Error(rc, "read the last index");
  }
  sqlite3_finalize(st);
  return s;
}

Status LogDb::Checkpoint() {
  int log = 0;
  int done = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  if (rc != SQLITE_OK) return Error(rc, "checkpoint");
  wal_frames_ = log - done;
  return Status::OK();
}

}  // namespace zk::storage_sqlite
