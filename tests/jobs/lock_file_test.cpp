// LockFile: one holder at a time, whether the second try comes from another process or another
// open of the file in this one; the holder's pid is in the file; the lock ends with its object.
#include "cli/lock_file.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "cli/input_flags.h"

namespace dsfill::cli {
namespace {

class LockFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("dsfill-lock-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // Runs try_acquire in a child process; returns 0 if the child was refused and saw `want_pid`.
  int child_tries(long want_pid) const {
    const pid_t child = ::fork();
    if (child == 0) {
      long pid = 0;
      auto second = LockFile::try_acquire(path_, pid);
      ::_exit(second ? 10 : (pid == want_pid ? 0 : 11));
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
  }

  std::string path_;
};

TEST_F(LockFileTest, FirstTryTakesTheLockAndCreatesTheFile) {
  long holder = -1;
  auto lock = LockFile::try_acquire(path_, holder);
  ASSERT_TRUE(lock.has_value());
  EXPECT_EQ(holder, 0);
  EXPECT_EQ(lock->path(), path_);
  EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST_F(LockFileTest, FileHoldsTheHoldersPid) {
  long holder = -1;
  auto lock = LockFile::try_acquire(path_, holder);
  ASSERT_TRUE(lock.has_value());
  long written = 0;
  std::ifstream(path_) >> written;
  EXPECT_EQ(written, static_cast<long>(::getpid()));
}

TEST_F(LockFileTest, SecondProcessIsRefusedWithTheHoldersPid) {
  long holder = -1;
  auto first = LockFile::try_acquire(path_, holder);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(child_tries(static_cast<long>(::getpid())), 0);
}

TEST_F(LockFileTest, SecondHandleInTheSameProcessIsRefused) {
  long holder = -1;
  auto first = LockFile::try_acquire(path_, holder);
  ASSERT_TRUE(first.has_value());
  // flock locks belong to open file descriptions: a second open conflicts even here.
  auto second = LockFile::try_acquire(path_, holder);
  EXPECT_FALSE(second.has_value());
  EXPECT_EQ(holder, static_cast<long>(::getpid()));
}

TEST_F(LockFileTest, DestructionReleasesTheLock) {
  long holder = -1;
  {
    auto first = LockFile::try_acquire(path_, holder);
    ASSERT_TRUE(first.has_value());
  }
  auto again = LockFile::try_acquire(path_, holder);
  EXPECT_TRUE(again.has_value());
  EXPECT_EQ(holder, 0);
}

TEST_F(LockFileTest, ReleasedLockCanBeTakenByAnotherProcess) {
  long holder = -1;
  auto first = LockFile::try_acquire(path_, holder);
  ASSERT_TRUE(first.has_value());
  first.reset();
  const pid_t child = ::fork();
  if (child == 0) {
    long pid = 0;
    ::_exit(LockFile::try_acquire(path_, pid) ? 0 : 10);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(LockFileTest, MovedLockStaysHeldUntilTheNewOwnerEnds) {
  long holder = -1;
  auto first = LockFile::try_acquire(path_, holder);
  ASSERT_TRUE(first.has_value());
  std::optional<LockFile> moved(std::move(*first));
  first.reset();  // the moved-from object owns nothing: destroying it releases nothing
  EXPECT_FALSE(LockFile::try_acquire(path_, holder).has_value());
  moved.reset();
  EXPECT_TRUE(LockFile::try_acquire(path_, holder).has_value());
}

TEST_F(LockFileTest, UnopenablePathThrowsUsageErrorNamingIt) {
  long holder = -1;
  const std::string path = "/nonexistent/dir/dsfill.lock";
  try {
    LockFile::try_acquire(path, holder);
    FAIL() << "no exception";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dsfill::cli
