#include "state/path.h"

#include <gtest/gtest.h>

#include <string>

namespace zk::state {
namespace {

TEST(ValidatePath, AcceptsOrdinaryPaths) {
  for (const char* p :
       {"/", "/a", "/a/b", "/zookeeper/quota", "/a.b", "/...", "/a/.b", "/a/b..", "/é", "/日本"}) {
    EXPECT_TRUE(ValidatePath(p)) << p;
  }
}

TEST(ValidatePath, RejectsWhatPathUtilsRejects) {
  for (const char* p : {"",
                        "a",
                        "a/b",
                        "/a/",
                        "//",
                        "//a",
                        "/a//b",
                        "/.",
                        "/..",
                        "/a/.",
                        "/a/..",
                        "/a/./b",
                        "/a/../b",
                        "/\x01",
                        "/a\x1f",
                        "/\x7f",
                        "/\xc2\x80",
                        "/\xc2\x9f",
                        "/\xee\x80\x80",      // U+E000 private use
                        "/\xef\xbf\xb0",      // U+FFF0
                        "/\xef\xbf\xbd",      // U+FFFD
                        "/\xf0\x9f\x98\x80",  // U+1F600: a surrogate pair in Java
                        "/\xff",
                        "/\xc3",
                        "/\xe0\x80\x80"}) {  // malformed UTF-8
    EXPECT_FALSE(ValidatePath(p)) << p;
  }
  EXPECT_FALSE(ValidatePath(std::string("/a\0b", 4)));
}

TEST(ValidatePath, SequentialAllowsTrailingSlashAndDot) {
  EXPECT_FALSE(ValidatePath("/a/"));
  EXPECT_TRUE(ValidatePath("/a/", true));
  EXPECT_TRUE(ValidatePath("/a/.", true));  // becomes "/a/.1"
  EXPECT_FALSE(ValidatePath("/a//", true));
  EXPECT_FALSE(ValidatePath("/./", true));
}

TEST(PathHelpers, ParentAndBaseName) {
  EXPECT_EQ(ParentOf("/a/b"), "/a");
  EXPECT_EQ(ParentOf("/a"), "/");
  EXPECT_EQ(ParentOf("/"), "");
  EXPECT_EQ(ParentOf("x"), "");
  EXPECT_EQ(BaseName("/a/b"), "b");
  EXPECT_EQ(BaseName("/a"), "a");
  EXPECT_EQ(BaseName("/"), "");
}

TEST(PathHelpers, Utf16Length) {
  EXPECT_EQ(Utf16Length("/zookeeper"), 10u);
  EXPECT_EQ(Utf16Length("/é"), 2u);
  EXPECT_EQ(Utf16Length("/\xf0\x9f\x98\x80"), 3u);
}

}  // namespace
}  // namespace zk::state
