// Apache ZooKeeper's C client (libzookeeper_mt 3.8) against a server: asynchronous
// create/create2/get/set/exists/getChildren/getChildren2/delete/multi/sync/getAcl with
// completion callbacks, and watches (data watch on set, child watch on create, exists watch
// on a missing node, one-shot semantics). Every result is checked; any mismatch exits 1.
//
// Usage: zk_async_client HOST:PORT   (or ZK_HOSTS in the environment)
//
// The C client runs completions and watchers on its own completion thread; the main thread
// waits for each of them on a condition variable with a deadline (no sleeps).

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

enum { kDeadlineSeconds = 20, kMaxEvents = 64, kMaxChildren = 16 };

// One completion's outcome, filled on the completion thread.
typedef struct {
  int done;
  int rc;
  char value[256];  // path (string completions) or data (data completions)
  int value_len;
  int has_stat;
  struct Stat stat;
  int num_strings;
  char strings[kMaxChildren][64];
  int num_acl;
  int acl_perms;
  char acl_scheme[32];
  char acl_id[64];
} Result;

typedef struct {
  const char* tag;  // which watcher saw it
  int type;
  int state;
  char path[128];
} Event;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static Result g_result;
static Event g_events[kMaxEvents];
static int g_num_events;
static int g_connected;
static int g_failures;
static char g_root[64];

static void Fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "FAIL: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  g_failures++;
}

#define EXPECT_INT(what, got, want)                                                            \
  do {                                                                                         \
    long long got_ = (long long)(got), want_ = (long long)(want);                              \
    if (got_ != want_) Fail("%s: got %lld, want %lld (line %d)", what, got_, want_, __LINE__); \
  } while (0)

#define EXPECT_STR(what, got, want)                                             \
  do {                                                                          \
    if (strcmp((got), (want)) != 0)                                             \
      Fail("%s: got \"%s\", want \"%s\" (line %d)", what, got, want, __LINE__); \
  } while (0)

static struct timespec Deadline(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += kDeadlineSeconds;
  return ts;
}

// Waits (mutex held) until *flag becomes true or the deadline passes. Returns 0 on timeout.
static int WaitFlagLocked(const int* flag) {
  struct timespec deadline = Deadline();
  while (!*flag) {
    if (pthread_cond_timedwait(&g_cv, &g_mu, &deadline) == ETIMEDOUT) return *flag;
  }
  return 1;
}

static void ResetResult(void) {
  pthread_mutex_lock(&g_mu);
  memset(&g_result, 0, sizeof(g_result));
  pthread_mutex_unlock(&g_mu);
}

// Waits for the pending completion and returns a copy of its result.
static Result WaitResult(const char* what) {
  pthread_mutex_lock(&g_mu);
  if (!WaitFlagLocked(&g_result.done)) {
    pthread_mutex_unlock(&g_mu);
    Fail("%s: no completion within %d s", what, kDeadlineSeconds);
    fprintf(stderr, "%d failure(s)\n", g_failures);
    exit(1);
  }
  Result r = g_result;
  pthread_mutex_unlock(&g_mu);
  return r;
}

static void Complete(void) {
  g_result.done = 1;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
}

// ---- completions (completion thread) ---------------------------------------------------

static void OnString(int rc, const char* value, const void* data) {
  pthread_mutex_lock(&g_mu);
  g_result.rc = rc;
  if (value) snprintf(g_result.value, sizeof(g_result.value), "%s", value);
  Complete();
}

static void OnStringStat(int rc, const char* value, const struct Stat* stat, const void* data) {
  pthread_mutex_lock(&g_mu);
  g_result.rc = rc;
  if (value) snprintf(g_result.value, sizeof(g_result.value), "%s", value);
  if (stat) {
    g_result.has_stat = 1;
    g_result.stat = *stat;
  }
  Complete();
}

static void OnStat(int rc, const struct Stat* stat, const void* data) {
  pthread_mutex_lock(&g_mu);
  g_result.rc = rc;
  if (stat) {
    g_result.has_stat = 1;
    g_result.stat = *stat;
  }
  Complete();
}

static void OnData(int rc, const char* value, int value_len, const struct Stat* stat,
                   const void* data) {
  pthread_mutex_lock(&g_mu);
  g_result.rc = rc;
  g_result.value_len = value_len;
  if (value && value_len > 0) {
    int n =
        value_len < (int)sizeof(g_result.value) - 1 ? value_len : (int)sizeof(g_result.value) - 1;
    memcpy(g_result.value, value, n);
    g_result.value[n] = '\0';
  }
  if (stat) {
    g_result.has_stat = 1;
    g_result.stat = *stat;
  }
  Complete();
}

static void CopyStrings(const struct String_vector* strings) {
  if (!strings) return;
  g_result.num_strings = strings->count;
  for (int i = 0; i < strings->count && i < kMaxChildren; i++) {
    snprintf(g_result.strings[i], sizeof(g_result.strings[i]), "%s", strings->data[i]);
  }
}

static void OnStrings(int rc, const struct String_vector* strings, const void* data) {
  pthread_mutex_lock(&g_mu);
  g_result.rc = rc;
  CopyStrings(strings);
  Complete();
}

static void OnStringsStat(int rc, const struct String_vector* strings, const struct Stat* stat,
                          const void* data) {
  pthread_mutex_lock(&g_mu);
  g_result.rc = rc;
  CopyStrings(strings);
  if (stat) {
    g_result.has_stat = 1;
    g_result.stat = *stat;
  }
  Complete();
}

static void OnVoid(int rc, const void* data) {
  pthread_mutex_lock(&g_mu);
  g_result.rc = rc;
  Complete();
}

static void OnAcl(int rc, struct ACL_vector* acl, struct Stat* stat, const void* data) {
  pthread_mutex_lock(&g_mu);
  g_result.rc = rc;
  if (acl) {
    g_result.num_acl = acl->count;
    if (acl->count > 0) {
      g_result.acl_perms = acl->data[0].perms;
      snprintf(g_result.acl_scheme, sizeof(g_result.acl_scheme), "%s", acl->data[0].id.scheme);
      snprintf(g_result.acl_id, sizeof(g_result.acl_id), "%s", acl->data[0].id.id);
    }
  }
  if (stat) {
    g_result.has_stat = 1;
    g_result.stat = *stat;
  }
  Complete();
}

// ---- watchers (completion thread) ------------------------------------------------------

static void RecordEvent(const char* tag, int type, int state, const char* path) {
  pthread_mutex_lock(&g_mu);
  if (g_num_events < kMaxEvents) {
    Event* e = &g_events[g_num_events++];
    e->tag = tag;
    e->type = type;
    e->state = state;
    snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
  }
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
}

// The default watcher gets session events only (no getter here passes watch=1).
static void SessionWatcher(zhandle_t* zh, int type, int state, const char* path, void* ctx) {
  if (type != ZOO_SESSION_EVENT) {
    RecordEvent("default", type, state, path);
    return;
  }
  pthread_mutex_lock(&g_mu);
  g_connected = (state == ZOO_CONNECTED_STATE);
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
}

static void TaggedWatcher(zhandle_t* zh, int type, int state, const char* path, void* ctx) {
  RecordEvent((const char*)ctx, type, state, path);
}

static int EventCount(void) {
  pthread_mutex_lock(&g_mu);
  int n = g_num_events;
  pthread_mutex_unlock(&g_mu);
  return n;
}

// Waits until at least n events were recorded; returns a copy of event index n-1.
static Event WaitEvent(int n, const char* what) {
  struct timespec deadline = Deadline();
  pthread_mutex_lock(&g_mu);
  while (g_num_events < n) {
    if (pthread_cond_timedwait(&g_cv, &g_mu, &deadline) == ETIMEDOUT) break;
  }
  int have = g_num_events;
  Event e = have >= n ? g_events[n - 1] : (Event){0};
  pthread_mutex_unlock(&g_mu);
  if (have < n) {
    Fail("%s: watch event #%d never came (have %d)", what, n, have);
    exit(1);
  }
  return e;
}

// ---- steps ---------------------------------------------------------------------------

static char* Path(char* buf, size_t size, const char* suffix) {
  snprintf(buf, size, "%s%s", g_root, suffix);
  return buf;
}

static Result Create(zhandle_t* zh, const char* path, const char* value, int flags) {
  ResetResult();
  int rc = zoo_acreate(zh, path, value, value ? (int)strlen(value) : -1, &ZOO_OPEN_ACL_UNSAFE,
                       flags, OnString, NULL);
  EXPECT_INT("zoo_acreate queued", rc, ZOK);
  return WaitResult("create");
}

static Result Exists(zhandle_t* zh, const char* path) {
  ResetResult();
  EXPECT_INT("zoo_aexists queued", zoo_aexists(zh, path, 0, OnStat, NULL), ZOK);
  return WaitResult("exists");
}

static Result Delete(zhandle_t* zh, const char* path, int version) {
  ResetResult();
  EXPECT_INT("zoo_adelete queued", zoo_adelete(zh, path, version, OnVoid, NULL), ZOK);
  return WaitResult("delete");
}

// Every watch event sent before this call has been delivered once it returns: one session's
// events arrive in order, and a fresh node's exists watch fires last.
static void FlushEvents(zhandle_t* zh) {
  char sentinel[96];
  Path(sentinel, sizeof(sentinel), "_flush");
  int before = EventCount();
  ResetResult();
  zoo_awexists(zh, sentinel, TaggedWatcher, (void*)"flush", OnStat, NULL);
  EXPECT_INT("flush exists", WaitResult("flush exists").rc, ZNONODE);
  EXPECT_INT("flush create", Create(zh, sentinel, "", 0).rc, ZOK);
  Event e = WaitEvent(before + 1, "flush");
  EXPECT_STR("flush event tag", e.tag, "flush");
  EXPECT_INT("flush delete", Delete(zh, sentinel, -1).rc, ZOK);
}

static void TestCreateAndErrors(zhandle_t* zh) {
  char p[128];
  Result r = Create(zh, g_root, "root", 0);
  EXPECT_INT("create root", r.rc, ZOK);
  EXPECT_STR("created path", r.value, g_root);
  EXPECT_INT("create again", Create(zh, g_root, "root", 0).rc, ZNODEEXISTS);
  EXPECT_INT("create without parent", Create(zh, Path(p, sizeof(p), "/no/such"), "", 0).rc,
             ZNONODE);
  // the C client checks paths itself and refuses to send this one
  EXPECT_INT("create bad path",
             zoo_acreate(zh, "no-slash", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, OnString, NULL),
             ZBADARGUMENTS);

  // create2: path with the sequence suffix, plus the new node's Stat
  ResetResult();
  Path(p, sizeof(p), "/seq-");
  EXPECT_INT("zoo_acreate2 queued",
             zoo_acreate2(zh, p, "s", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL,
                          OnStringStat, NULL),
             ZOK);
  r = WaitResult("create2");
  EXPECT_INT("create2 rc", r.rc, ZOK);
  char want[128];
  EXPECT_STR("create2 path", r.value, Path(want, sizeof(want), "/seq-0000000000"));
  EXPECT_INT("create2 has stat", r.has_stat, 1);
  EXPECT_INT("create2 version", r.stat.version, 0);
  EXPECT_INT("create2 dataLength", r.stat.dataLength, 1);
  EXPECT_INT("create2 czxid == mzxid", r.stat.czxid, r.stat.mzxid);
}

static void TestDataWatchOnSet(zhandle_t* zh) {
  int base = EventCount();
  ResetResult();
  EXPECT_INT("zoo_awget queued", zoo_awget(zh, g_root, TaggedWatcher, (void*)"data", OnData, NULL),
             ZOK);
  Result r = WaitResult("get");
  EXPECT_INT("get rc", r.rc, ZOK);
  EXPECT_INT("get len", r.value_len, 4);
  EXPECT_STR("get data", r.value, "root");
  EXPECT_INT("get version", r.stat.version, 0);

  ResetResult();
  EXPECT_INT("zoo_aset queued", zoo_aset(zh, g_root, "new", 3, 0, OnStat, NULL), ZOK);
  r = WaitResult("set");
  EXPECT_INT("set rc", r.rc, ZOK);
  EXPECT_INT("set version", r.stat.version, 1);
  EXPECT_INT("set dataLength", r.stat.dataLength, 3);

  Event e = WaitEvent(base + 1, "data watch");
  EXPECT_STR("data watch tag", e.tag, "data");
  EXPECT_INT("data watch type", e.type, ZOO_CHANGED_EVENT);
  EXPECT_INT("data watch state", e.state, ZOO_CONNECTED_STATE);
  EXPECT_STR("data watch path", e.path, g_root);

  // one-shot: another set fires nothing more
  ResetResult();
  zoo_aset(zh, g_root, "newer", 5, 1, OnStat, NULL);
  EXPECT_INT("second set rc", WaitResult("set").rc, ZOK);
  ResetResult();
  zoo_aset(zh, g_root, "x", 1, 1, OnStat, NULL);
  EXPECT_INT("set with stale version", WaitResult("set").rc, ZBADVERSION);
  FlushEvents(zh);
  EXPECT_INT("events after one-shot", EventCount(), base + 2);  // data + flush

  ResetResult();
  zoo_aget(zh, g_root, 0, OnData, NULL);
  r = WaitResult("get");
  EXPECT_STR("get after set", r.value, "newer");
  EXPECT_INT("version after sets", r.stat.version, 2);
}

static void TestChildWatchOnCreate(zhandle_t* zh) {
  char p[128];
  int base = EventCount();
  ResetResult();
  EXPECT_INT("zoo_awget_children queued",
             zoo_awget_children(zh, g_root, TaggedWatcher, (void*)"child", OnStrings, NULL), ZOK);
  Result r = WaitResult("get_children");
  EXPECT_INT("get_children rc", r.rc, ZOK);
  EXPECT_INT("children before", r.num_strings, 2);  // seq-0000000000, later

  EXPECT_INT("create kid", Create(zh, Path(p, sizeof(p), "/kid"), "k", 0).rc, ZOK);
  Event e = WaitEvent(base + 1, "child watch");
  EXPECT_STR("child watch tag", e.tag, "child");
  EXPECT_INT("child watch type", e.type, ZOO_CHILD_EVENT);
  EXPECT_STR("child watch path", e.path, g_root);

  ResetResult();
  EXPECT_INT("zoo_aget_children2 queued", zoo_aget_children2(zh, g_root, 0, OnStringsStat, NULL),
             ZOK);
  r = WaitResult("get_children2");
  EXPECT_INT("get_children2 rc", r.rc, ZOK);
  EXPECT_INT("children after", r.num_strings, 3);
  EXPECT_INT("children2 stat numChildren", r.stat.numChildren, 3);
  EXPECT_INT("children2 stat cversion", r.stat.cversion, 3);
}

static void TestExistsWatchOnMissingNode(zhandle_t* zh) {
  char p[128];
  Path(p, sizeof(p), "/later");
  int base = EventCount();
  ResetResult();
  EXPECT_INT("zoo_awexists queued",
             zoo_awexists(zh, p, TaggedWatcher, (void*)"exists", OnStat, NULL), ZOK);
  Result r = WaitResult("exists");
  EXPECT_INT("exists on missing node", r.rc, ZNONODE);
  EXPECT_INT("create later", Create(zh, p, NULL, ZOO_EPHEMERAL).rc, ZOK);
  Event e = WaitEvent(base + 1, "exists watch");
  EXPECT_STR("exists watch tag", e.tag, "exists");
  EXPECT_INT("exists watch type", e.type, ZOO_CREATED_EVENT);
  EXPECT_STR("exists watch path", e.path, p);

  r = Exists(zh, p);
  EXPECT_INT("exists rc", r.rc, ZOK);
  EXPECT_INT("ephemeralOwner is our session", r.stat.ephemeralOwner, zoo_client_id(zh)->client_id);
  EXPECT_INT("null data length", r.stat.dataLength, 0);
}

static void TestMultiSyncAcl(zhandle_t* zh) {
  char a[128], b[128];
  Path(a, sizeof(a), "/m1");
  Path(b, sizeof(b), "/m2");
  zoo_op_t ops[3];
  zoo_op_result_t results[3];
  char buf1[128], buf2[128];
  zoo_create_op_init(&ops[0], a, "1", 1, &ZOO_OPEN_ACL_UNSAFE, 0, buf1, sizeof(buf1));
  zoo_check_op_init(&ops[1], g_root, 99);  // wrong version: the multi fails here
  zoo_create_op_init(&ops[2], b, "2", 1, &ZOO_OPEN_ACL_UNSAFE, 0, buf2, sizeof(buf2));
  ResetResult();
  EXPECT_INT("zoo_amulti queued", zoo_amulti(zh, 3, ops, results, OnVoid, NULL), ZOK);
  Result r = WaitResult("multi");
  EXPECT_INT("multi rc", r.rc, ZBADVERSION);
  EXPECT_INT("multi op0 rolled back", results[0].err, ZOK);
  EXPECT_INT("multi op1 failed", results[1].err, ZBADVERSION);
  EXPECT_INT("multi op2 not run", results[2].err, ZRUNTIMEINCONSISTENCY);
  EXPECT_INT("multi applied nothing", Exists(zh, a).rc, ZNONODE);

  zoo_create_op_init(&ops[0], a, "1", 1, &ZOO_OPEN_ACL_UNSAFE, 0, buf1, sizeof(buf1));
  zoo_check_op_init(&ops[1], g_root, 2);
  zoo_create_op_init(&ops[2], b, "2", 1, &ZOO_OPEN_ACL_UNSAFE, 0, buf2, sizeof(buf2));
  ResetResult();
  zoo_amulti(zh, 3, ops, results, OnVoid, NULL);
  EXPECT_INT("multi ok", WaitResult("multi").rc, ZOK);
  EXPECT_STR("multi created path", buf1, a);
  Result ra = Exists(zh, a), rb = Exists(zh, b);
  EXPECT_INT("multi one zxid", ra.stat.czxid, rb.stat.czxid);

  ResetResult();
  EXPECT_INT("zoo_async queued", zoo_async(zh, g_root, OnString, NULL), ZOK);
  r = WaitResult("sync");
  EXPECT_INT("sync rc", r.rc, ZOK);
  EXPECT_STR("sync path", r.value, g_root);

  ResetResult();
  EXPECT_INT("zoo_aget_acl queued", zoo_aget_acl(zh, g_root, OnAcl, NULL), ZOK);
  r = WaitResult("get_acl");
  EXPECT_INT("get_acl rc", r.rc, ZOK);
  EXPECT_INT("acl entries", r.num_acl, 1);
  EXPECT_INT("acl perms", r.acl_perms, ZOO_PERM_ALL);
  EXPECT_STR("acl scheme", r.acl_scheme, "world");
  EXPECT_STR("acl id", r.acl_id, "anyone");
  EXPECT_INT("acl stat aversion", r.stat.aversion, 0);
}

static void TestDeletes(zhandle_t* zh) {
  char p[128];
  int base = EventCount();
  ResetResult();
  zoo_awget(zh, Path(p, sizeof(p), "/kid"), TaggedWatcher, (void*)"deleted", OnData, NULL);
  EXPECT_INT("get kid", WaitResult("get").rc, ZOK);
  EXPECT_INT("delete non-empty", Delete(zh, g_root, -1).rc, ZNOTEMPTY);
  EXPECT_INT("delete bad version", Delete(zh, p, 5).rc, ZBADVERSION);
  EXPECT_INT("delete kid", Delete(zh, p, 0).rc, ZOK);
  Event e = WaitEvent(base + 1, "delete watch");
  EXPECT_STR("delete watch tag", e.tag, "deleted");
  EXPECT_INT("delete watch type", e.type, ZOO_DELETED_EVENT);
  EXPECT_STR("delete watch path", e.path, p);
  EXPECT_INT("delete missing", Delete(zh, p, -1).rc, ZNONODE);
  const char* rest[] = {"/seq-0000000000", "/later", "/m1", "/m2"};
  for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
    EXPECT_INT("delete child", Delete(zh, Path(p, sizeof(p), rest[i]), -1).rc, ZOK);
  }
  EXPECT_INT("delete root", Delete(zh, g_root, 2).rc, ZOK);
  EXPECT_INT("root gone", Exists(zh, g_root).rc, ZNONODE);
  ResetResult();
  zoo_aget(zh, g_root, 0, OnData, NULL);
  EXPECT_INT("get missing", WaitResult("get").rc, ZNONODE);
}

int main(int argc, char** argv) {
  const char* hosts = argc > 1 ? argv[1] : getenv("ZK_HOSTS");
  if (!hosts || !*hosts) {
    fprintf(stderr, "usage: %s HOST:PORT (or set ZK_HOSTS)\n", argv[0]);
    return 2;
  }
  zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
  snprintf(g_root, sizeof(g_root), "/c_client_%d", (int)getpid());

  zhandle_t* zh = zookeeper_init(hosts, SessionWatcher, 10000, NULL, NULL, 0);
  if (!zh) {
    fprintf(stderr, "FAIL: zookeeper_init: %s\n", strerror(errno));
    return 1;
  }
  pthread_mutex_lock(&g_mu);
  int connected = WaitFlagLocked(&g_connected);
  pthread_mutex_unlock(&g_mu);
  if (!connected) {
    fprintf(stderr, "FAIL: not connected to %s within %d s\n", hosts, kDeadlineSeconds);
    return 1;
  }
  if (zoo_client_id(zh)->client_id == 0) Fail("session id is 0");

  TestCreateAndErrors(zh);
  TestDataWatchOnSet(zh);
  TestExistsWatchOnMissingNode(zh);
  TestChildWatchOnCreate(zh);
  TestMultiSyncAcl(zh);
  TestDeletes(zh);

  EXPECT_INT("zookeeper_close", zookeeper_close(zh), ZOK);
  if (g_failures) {
    fprintf(stderr, "%d failure(s)\n", g_failures);
    return 1;
  }
  printf("c_client: all checks passed against %s\n", hosts);
  return 0;
}
