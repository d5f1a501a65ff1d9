#include "counting_vfs.h"

#include <cstdio>

namespace zk::storage_sqlite {
namespace {

// Our file object; the real VFS's file object follows it in the same allocation
// (szOsFile = sizeof(CountingFile) + base->szOsFile).
struct CountingFile {
  sqlite3_file base;
  CountingVfs* owner;
  sqlite3_file* Real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
static_assert(sizeof(CountingFile) % 8 == 0, "the real file object must stay aligned");

CountingFile* Cast(sqlite3_file* f) { return reinterpret_cast<CountingFile*>(f); }
sqlite3_file* Real(sqlite3_file* f) { return Cast(f)->Real(); }
const sqlite3_io_methods* RealMethods(sqlite3_file* f) { return Real(f)->pMethods; }
CountingVfs* Owner(sqlite3_vfs* vfs) { return static_cast<CountingVfs*>(vfs->pAppData); }
sqlite3_vfs* Base(sqlite3_vfs* vfs) { return Owner(vfs)->base(); }

int Close(sqlite3_file* f) { return RealMethods(f)->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int amt, sqlite3_int64 off) {
  return RealMethods(f)->xRead(Real(f), buf, amt, off);
}
int Write(sqlite3_file* f, const void* buf, int amt, sqlite3_int64 off) {
  return RealMethods(f)->xWrite(Real(f), buf, amt, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return RealMethods(f)->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  Cast(f)->owner->CountSync();
  return RealMethods(f)->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return RealMethods(f)->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return RealMethods(f)->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return RealMethods(f)->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return RealMethods(f)->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return RealMethods(f)->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return RealMethods(f)->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return RealMethods(f)->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int page, int page_size, int extend, void volatile** out) {
  return RealMethods(f)->xShmMap(Real(f), page, page_size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return RealMethods(f)->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { RealMethods(f)->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return RealMethods(f)->xShmUnmap(Real(f), delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** out) {
  return RealMethods(f)->xFetch(Real(f), off, amt, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return RealMethods(f)->xUnfetch(Real(f), off, p);
}

// Version 3 io methods; every one forwards. Used only when the real file's methods are also
// version 3 (the unix VFS's are); otherwise the version-1 table below.
// clang-format off
const sqlite3_io_methods kMethodsV3 = {
    3,       Close,    Read,    Write,      Truncate,          Sync,        FileSize,
    Lock,    Unlock,   CheckReservedLock,   FileControl,       SectorSize,  DeviceCharacteristics,
    ShmMap,  ShmLock,  ShmBarrier,          ShmUnmap,          Fetch,       Unfetch};
const sqlite3_io_methods kMethodsV1 = {
    1,       Close,    Read,    Write,      Truncate,          Sync,        FileSize,
    Lock,    Unlock,   CheckReservedLock,   FileControl,       SectorSize,  DeviceCharacteristics,
    nullptr, nullptr,  nullptr, nullptr,    nullptr,           nullptr};
// clang-format on

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  CountingFile* f = Cast(file);
  f->base.pMethods = nullptr;
  f->owner = Owner(vfs);
  int rc = Base(vfs)->xOpen(Base(vfs), name, f->Real(), flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open, so mirror the
  // real file: set ours exactly when it set its own.
  if (f->Real()->pMethods != nullptr) {
    f->base.pMethods = f->Real()->pMethods->iVersion >= 3 ? &kMethodsV3 : &kMethodsV1;
  }
  return rc;
}
int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Base(vfs)->xDelete(Base(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Base(vfs)->xAccess(Base(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Base(vfs)->xFullPathname(Base(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) { return Base(vfs)->xDlOpen(Base(vfs), name); }
void DlError(sqlite3_vfs* vfs, int n, char* out) { Base(vfs)->xDlError(Base(vfs), n, out); }
void (*DlSym(sqlite3_vfs* vfs, void* h, const char* sym))(void) {
  return Base(vfs)->xDlSym(Base(vfs), h, sym);
}
void DlClose(sqlite3_vfs* vfs, void* h) { Base(vfs)->xDlClose(Base(vfs), h); }
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xRandomness(Base(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int us) { return Base(vfs)->xSleep(Base(vfs), us); }
int CurrentTime(sqlite3_vfs* vfs, double* out) { return Base(vfs)->xCurrentTime(Base(vfs), out); }
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xGetLastError(Base(vfs), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Base(vfs)->xCurrentTimeInt64(Base(vfs), out);
}
int SetSystemCall(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr p) {
  return Base(vfs)->xSetSystemCall(Base(vfs), name, p);
}
sqlite3_syscall_ptr GetSystemCall(sqlite3_vfs* vfs, const char* name) {
  return Base(vfs)->xGetSystemCall(Base(vfs), name);
}
const char* NextSystemCall(sqlite3_vfs* vfs, const char* name) {
  return Base(vfs)->xNextSystemCall(Base(vfs), name);
}

}  // namespace

CountingVfs::CountingVfs(std::atomic<uint64_t>* syncs) : syncs_(syncs) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "zk-counting-%p", static_cast<void*>(this));
  name_ = buf;
}

CountingVfs::~CountingVfs() { Unregister(); }

int CountingVfs::Register() {
  if (registered_) return SQLITE_OK;
  int rc = sqlite3_initialize();
  if (rc != SQLITE_OK) return rc;
  base_ = sqlite3_vfs_find(nullptr);
  if (base_ == nullptr) return SQLITE_ERROR;
  vfs_.iVersion = base_->iVersion < 3 ? base_->iVersion : 3;
  vfs_.szOsFile = static_cast<int>(sizeof(CountingFile)) + base_->szOsFile;
  vfs_.mxPathname = base_->mxPathname;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = Open;
  vfs_.xDelete = Delete;
  vfs_.xAccess = Access;
  vfs_.xFullPathname = FullPathname;
  vfs_.xDlOpen = DlOpen;
  vfs_.xDlError = DlError;
  vfs_.xDlSym = DlSym;
  vfs_.xDlClose = DlClose;
  vfs_.xRandomness = Randomness;
  vfs_.xSleep = Sleep;
  vfs_.xCurrentTime = CurrentTime;
  vfs_.xGetLastError = GetLastError;
  vfs_.xCurrentTimeInt64 = base_->xCurrentTimeInt64 ? CurrentTimeInt64 : nullptr;
  vfs_.xSetSystemCall = base_->xSetSystemCall ? SetSystemCall : nullptr;
  vfs_.xGetSystemCall = base_->xGetSystemCall ? GetSystemCall : nullptr;
  vfs_.xNextSystemCall = base_->xNextSystemCall ? NextSystemCall : nullptr;
  rc = sqlite3_vfs_register(&vfs_, /*makeDflt=*/0);
  registered_ = rc == SQLITE_OK;
  return rc;
}

void CountingVfs::Unregister() {
  if (!registered_) return;
  sqlite3_vfs_unregister(&vfs_);
  registered_ = false;
}

}  // namespace zk::storage_sqlite
