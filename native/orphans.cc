// The process-wide list of orphaned children (see orphans.h). Shared by every environment, so a
// mutex guards it; both objects are leaked on purpose so that no static destructor races a worker
// still running at process exit.
#include "orphans.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <new>
#include <vector>

#include "exit-watcher.h"
#include "kernel.h"

namespace procctl {
namespace {

struct Orphan {
  pid_t pid;
  int pidfd;
};

std::mutex& OrphansLock() {
  static auto* lock = new std::mutex;
  return *lock;
}

std::vector<Orphan>& Orphans() {
  static auto* orphans = new std::vector<Orphan>;
  return *orphans;
}

// True when the orphan is gone: reaped now, or (ECHILD) reaped by someone else.
bool Collected(const Orphan& orphan) {
  ExitInfo ignored;
  int found = WaitForProcess(orphan.pidfd, orphan.pid, WEXITED | WNOHANG, &ignored);
  return found == 1 || (found == -1 && errno == ECHILD);
}

}  // namespace

void AdoptOrphan(pid_t pid, int pidfd) {
  std::lock_guard<std::mutex> guard(OrphansLock());
  try {
    Orphans().push_back({pid, pidfd});
  } catch (const std::bad_alloc&) {
    // Called at environment teardown, where an exception would abort the process. Out of
    // memory the orphan cannot be listed: it stays an unreaped child (a zombie once it exits).
    if (pidfd >= 0) close(pidfd);
  }
}

void ReapExitedOrphans() {
  std::lock_guard<std::mutex> guard(OrphansLock());
  std::vector<Orphan>& orphans = Orphans();
  for (size_t i = 0; i < orphans.size();) {
    if (!Collected(orphans[i])) {
      i++;
      continue;
    }
    if (orphans[i].pidfd >= 0) close(orphans[i].pidfd);
    orphans[i] = orphans.back();
    orphans.pop_back();
  }
}

}  // namespace procctl
