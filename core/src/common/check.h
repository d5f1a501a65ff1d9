// Invariants: ZK_CHECK is always on, ZK_DCHECK only in debug builds (STYLE.md).
#pragma once

#include <cstdio>
#include <cstdlib>

#define ZK_CHECK(cond)                                                               \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

#ifdef NDEBUG
#define ZK_DCHECK(cond) \
  do {                  \
  } while (0)
#else
#define ZK_DCHECK(cond) ZK_CHECK(cond)
#endif
