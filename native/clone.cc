// The vfork-style clone (see clone.h). CLONE_VM|CLONE_VFORK does not copy page tables, so the cost
// stays flat however large the parent is; the parent thread sleeps until the child execs or exits,
// which is what lets the child report failures through the shared plan.
#include "clone.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel.h"
#include "sanitizer.h"


namespace procctl {
namespace {

// Enough for the child path (a 2 KiB getdents buffer and shallow calls), with room to spare for
// sanitizer builds.
constexpr size_t kStackSize = 256 * 1024;

// Returns the top of the cached child stack, mapping it (with a guard page) on first use. One per
// instance: clones happen only on the environment's JS thread, one at a time.
void* ChildStackTop(Instance* instance) {
  if (instance->stack.base == nullptr) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t size = kStackSize + page;
    void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return nullptr;
    mprotect(base, page, PROT_NONE);  // the stack grows down onto this page
    instance->stack.base = base;
    instance->stack.size = size;
  }
  return static_cast<char*>(instance->stack.base) + instance->stack.size;
}

}  // namespace

// The raw call, like glibc's own posix_spawn: sigprocmask silently leaves glibc's internal
// signals 32 and 33 (SIGCANCEL, SIGSETXID) unblocked, and their handlers must not run in a child
// that shares the parent's memory and thread descriptor. (pthread_sigmask would also pull in a
// GLIBC_2.32 symbol version.) The old mask's first 64 bits land in *old.
void BlockAllSignals(sigset_t* old) {
  sigemptyset(old);
  uint64_t all = ~0ULL;
  syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, old, kKernelSigsetSize);
}

uint64_t MaskBits(const sigset_t& set) {
  uint64_t bits = 0;
  for (int sig = 1; sig <= 64; sig++) {
    if (sigismember(&set, sig) == 1) bits |= 1ULL << (sig - 1);
  }
  return bits;
}

CloneResult CloneChild(Instance* instance, SpawnPlan* plan, bool keepCallerMask) {
  CloneResult result;
  void* stack = ChildStackTop(instance);
  if (stack == nullptr) {
    result.error = errno;
    return result;
  }
  sigset_t old;
  BlockAllSignals(&old);
  // The old mask may name 32/33 only if blocked behind glibc's back; the child keeps it as it was.
  if (keepCallerMask) plan->mask = MaskBits(old);
  plan->error.stage = 0;
  plan->error.error = 0;

  int flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
  int pidfd = -1;
  pid_t pid = -1;
  if (instance->pidfdEnabled) {
    pid = clone(RunChild, stack, flags | CLONE_PIDFD, plan, &pidfd);
  } else {
    pid = clone(RunChild, stack, flags, plan);
  }
  result.error = pid == -1 ? errno : 0;
  ForgetChildFrames(instance->stack.base, instance->stack.size);
  sigprocmask(SIG_SETMASK, &old, nullptr);
  // Kernels before 5.2 reject CLONE_PIDFD: use the SIGCHLD fallback from now on. The caller
  // retries once its watcher is in place.
  if (pid == -1 && result.error == EINVAL && instance->pidfdEnabled) {
    instance->pidfdEnabled = false;
    result.pidfdRejected = true;
    pidfd = -1;
  }
  result.pid = pid;
  result.pidfd = pid == -1 ? -1 : pidfd;
  return result;
}

}  // namespace procctl
