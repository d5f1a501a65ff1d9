// A pass-through SQLite VFS that counts xSync calls (fsync/fdatasync of zk.db, its WAL and
// the directory), so Stats().fsyncs reports what really reached the disk. SQLite has no
// counter of its own; the shim follows the "VFS shim" pattern of SQLite's test_vfstrace.c.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace zk::storage_sqlite {

class CountingVfs {
 public:
  // Wraps the default VFS ("unix"). `syncs` is incremented once per xSync; it must outlive
  // this object. Not registered until Register().
  explicit CountingVfs(std::atomic<uint64_t>* syncs);
  ~CountingVfs();
  CountingVfs(const CountingVfs&) = delete;
  CountingVfs& operator=(const CountingVfs&) = delete;

  // Registers the shim under a name unique to this object (never as the default VFS).
  // Returns SQLITE_OK or the SQLite error code.
  int Register();
  // REQUIRES: no connection opened with name() is still open.
  void Unregister();

  // The name to pass to sqlite3_open_v2.
  const char* name() const { return name_.c_str(); }
  sqlite3_vfs* base() const { return base_; }
  void CountSync() { syncs_->fetch_add(1, std::memory_order_relaxed); }

 private:
  sqlite3_vfs vfs_{};
  sqlite3_vfs* base_ = nullptr;
  std::atomic<uint64_t>* syncs_;
  std::string name_;
  bool registered_ = false;
};

}  // namespace zk::storage_sqlite
