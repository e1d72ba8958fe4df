// The vfork-style clone (see clone.h). CLONE_VM|CLONE_VFORK does not copy page tables, so the cost
// stays flat however large the parent is; the parent thread sleeps until the child execs or exits,
// which is what lets the child report failures through the shared plan.
//
// The fork path: where CLONE_VM|CLONE_VFORK is refused (EINVAL, EPERM, ENOSYS: seccomp filters,
// gVisor-style sandboxes) the process switches, once, to a plain fork-style clone; where it is
// accepted but runs as a fork (qemu-user) the child's first write to the plan never reaches the
// parent, and the process switches too. On that path the parent reads the child's {stage, errno}
// from a CLOEXEC pipe until EOF, so it still returns only after the exec and still reports setup
// failures. PROCCTL_FORK_SPAWN=1 forces the fork path from the start.
#include "clone.h"

#include <atomic>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"
#include "fd-guard.h"
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

// Process-wide: the fork path, once chosen, is used by every environment from then on; the pipe
// is needed on the vfork path only until one clone has shown that memory is shared.
std::atomic<bool> forkPath{false};
std::atomic<bool> sharingSeen{false};

bool Refused(int error) {
  return error == EINVAL || error == EPERM || error == ENOSYS;
}

// The error pipe, its write end moved above every fd the child will fill (so no dup3 of the fd
// plan clobbers it). Both ends CLOEXEC. Returns 0 or errno.
int OpenErrorPipe(int fds[2], int fdCount) {
  if (pipe2(fds, O_CLOEXEC) != 0) return errno;
  FdGuard readEnd(fds[0]);
  FdGuard writeEnd(fds[1]);
  int floor = fdCount > 3 ? fdCount : 3;
  if (writeEnd.get() < floor) {
    int moved = fcntl(writeEnd.get(), F_DUPFD_CLOEXEC, floor);
    if (moved == -1) return errno;  // the guards close both ends
    writeEnd.reset(moved);
  }
  fds[0] = readEnd.release();
  fds[1] = writeEnd.release();
  return 0;
}

// Reads the child's {stage, errno} record until EOF (the exec closed the write end, or the child
// exited). Leaves *record as it is (no failure) when the pipe closes empty.
void ReadErrorPipe(int fd, ErrorRecord* record) {
  int32_t data[2] = {0, 0};
  char* bytes = reinterpret_cast<char*>(data);
  size_t got = 0;
  for (;;) {
    char chunk[64];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n == -1 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n && got < sizeof data; i++) bytes[got++] = chunk[i];
  }
  if (got == sizeof data) {
    record->stage = data[0];
    record->error = data[1];
  }
}

pid_t CallClone(Instance* instance, SpawnPlan* plan, void* stack, bool fork, int* pidfd) {
  int flags = fork ? SIGCHLD : CLONE_VM | CLONE_VFORK | SIGCHLD;
  if (instance->pidfdEnabled) return clone(RunChild, stack, flags | CLONE_PIDFD, plan, pidfd);
  return clone(RunChild, stack, flags, plan);
}

}  // namespace

void UseForkPath() {
  forkPath.store(true);
}

bool ForkPathInUse() {
  return forkPath.load();
}

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
  int errorPipe[2] = {-1, -1};
  if (forkPath.load() || !sharingSeen.load()) {
    if (int error = OpenErrorPipe(errorPipe, plan->fdCount)) {
      result.error = error;
      return result;
    }
  }
  plan->errorPipe = errorPipe[1];

  sigset_t old;
  BlockAllSignals(&old);
  // The old mask may name 32/33 only if blocked behind glibc's back; the child keeps it as it was.
  if (keepCallerMask) plan->mask = MaskBits(old);
  plan->error.stage = 0;
  plan->error.error = 0;
  plan->error.shared = 0;

  int pidfd = -1;
  bool fork = forkPath.load();
  pid_t pid = CallClone(instance, plan, stack, fork, &pidfd);
  result.error = pid == -1 ? errno : 0;
  // A refused CLONE_VM|CLONE_VFORK (a refused CLONE_PIDFD is handled below, by the caller): take
  // the fork path for good. EINVAL with pidfds on is taken as the pidfd refusal first.
  if (pid == -1 && !fork && Refused(result.error) && !(result.error == EINVAL && instance->pidfdEnabled)) {
    UseForkPath();
    fork = true;
    pid = CallClone(instance, plan, stack, fork, &pidfd);
    result.error = pid == -1 ? errno : 0;
  }
  ForgetChildFrames(instance->stack.base, instance->stack.size);
  sigprocmask(SIG_SETMASK, &old, nullptr);

  if (errorPipe[1] >= 0) close(errorPipe[1]);
  plan->errorPipe = -1;
  if (pid > 0) {
    if (plan->error.shared) {
      sharingSeen.store(true);
    } else {
      // A fork, asked for or not: wait for the exec (EOF) or the failure record.
      if (!fork) UseForkPath();
      ReadErrorPipe(errorPipe[0], &plan->error);
    }
  }
  if (errorPipe[0] >= 0) close(errorPipe[0]);

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
