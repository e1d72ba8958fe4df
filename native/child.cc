// EVERYTHING IN THIS FILE RUNS IN THE CHILD, between clone(CLONE_VM|CLONE_VFORK) and execve.
//
// The child shares the parent's memory (and so its heap, its locks and its TLS) while the parent
// thread is suspended. On the fork path (forced, refused CLONE_VM, or an emulator that runs the
// vfork as a fork) it has a copy instead and the parent waits on the error pipe. Rules for every
// line below, which hold on both paths:
//   - raw async-signal-safe system calls through syscall(SYS_...) only; glibc's set*id wrappers
//     signal sibling threads (fatal here) and newer wrappers would raise the glibc baseline;
//   - no allocation, no locks, no exceptions, no std:: objects, no static constructors;
//   - read the plan, write only plan->error, the error pipe and the stack;
//   - RunChild first marks plan->error.shared, so the parent can tell whether memory was shared;
//   - RunChild never returns: it either execs or exits 127 after filling the error record (and
//     writing it to the error pipe, which is the only way it reaches a parent on the fork path).
// The same steps serve execve-in-place (RunInPlace), which returns instead of exiting.
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "held-signals.h"
#include "kernel.h"

namespace procctl {
namespace {

// Returns 0 or a positive errno. syscall() itself stores errno in the (shared) TLS slot of the
// suspended parent thread; that slot is dead by the time the parent looks again.
inline int Sys(long result) {
  return result == -1 ? errno : 0;
}

inline bool Has(uint64_t set, int sig) {
  return (set >> (sig - 1)) & 1;
}

int SetDisposition(int sig, void* handler) {
  KernelSigaction action = {handler, 0, nullptr, 0};
  return Sys(syscall(SYS_rt_sigaction, sig, &action, nullptr, kKernelSigsetSize));
}

// A handler inherited from the parent would run parent code on shared memory, so every caught
// signal goes back to SIG_DFL; ignored ones go too when resetSignals asks for it.
int ResetDispositions(const SpawnPlan* plan) {
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    KernelSigaction current;
    if (syscall(SYS_rt_sigaction, sig, nullptr, &current, kKernelSigsetSize) == -1) continue;
    bool ignored = current.handler == reinterpret_cast<void*>(SIG_IGN);
    bool isDefault = current.handler == reinterpret_cast<void*>(SIG_DFL);
    // In place, a held signal keeps its handler until execve resets it (without flushing what is
    // pending): a reset to SIG_DFL here would discard a pending WINCH, URG or CONT (POSIX: SIG_DFL
    // for a default-ignored signal discards it), and should a thread that did not block the held
    // signals in time (held-signals.cc) take one, it is sent on to the holder, not given its
    // default action (as PID 1, the kernel would drop it).
    bool held = plan->inPlace && current.handler == reinterpret_cast<void*>(HoldSignalHandler);
    bool toDefault = Has(plan->defaultSignals, sig) || (!isDefault && !ignored && !held) ||
                     (ignored && plan->resetSignals);
    if (Has(plan->ignoreSignals, sig)) {
      if (int err = SetDisposition(sig, reinterpret_cast<void*>(SIG_IGN))) return err;
    } else if (toDefault && !isDefault) {
      if (int err = SetDisposition(sig, reinterpret_cast<void*>(SIG_DFL))) return err;
    }
  }
  return 0;
}

int SetCredentials(const SpawnPlan* plan, Stage* stage) {
  if (plan->groupCount >= 0) {
    *stage = Stage::Setgroups;
    if (int err = Sys(syscall(SYS_setgroups, plan->groupCount, plan->groups))) return err;
  }
  if (plan->gid >= 0) {
    *stage = Stage::Setgid;
    if (int err = Sys(syscall(SYS_setgid, plan->gid))) return err;
  }
  if (plan->uid >= 0) {
    *stage = Stage::Setuid;
    if (int err = Sys(syscall(SYS_setuid, plan->uid))) return err;
  }
  return 0;
}

int SetLimits(const SpawnPlan* plan) {
  for (int i = 0; i < plan->rlimitCount; i++) {
    const PlanRlimit& limit = plan->rlimits[i];
    uint64_t value[2] = {limit.soft, limit.hard};
    if (int err = Sys(syscall(SYS_prlimit64, 0, limit.resource, value, nullptr))) return err;
  }
  return 0;
}

int JoinCgroup(const SpawnPlan* plan) {
  // "0" moves the writing process: the child itself.
  return Sys(syscall(SYS_write, plan->cgroupProcsFd, "0", 1));
}

// PR_SET_PDEATHSIG is cleared by a uid change, so it comes after; if the parent died before it
// was armed the signal will never come, so check the parent and give up.
int ArmDeathSignal(const SpawnPlan* plan) {
  if (int err = Sys(syscall(SYS_prctl, PR_SET_PDEATHSIG, plan->deathSignal, 0, 0, 0))) return err;
  if (syscall(SYS_getppid) != plan->expectedParent) return ESRCH;
  return 0;
}

// Two passes so no dup2 clobbers a source a later entry still needs: first every source that is
// also a target slot moves above the highest target, then everything dups into place.
int RemapFds(const SpawnPlan* plan) {
  const int count = plan->fdCount;
  for (int i = 0; i < count; i++) {
    int source = plan->fds[i];
    plan->scratch[i] = source;
    if (source >= 0 && source != i && source < count) {
      long moved = syscall(SYS_fcntl, source, F_DUPFD_CLOEXEC, count);
      if (moved == -1) return errno;
      plan->scratch[i] = static_cast<int>(moved);
    }
  }
  for (int i = 0; i < count; i++) {
    int source = plan->scratch[i];
    if (source < 0) {
      syscall(SYS_close, i);
    } else if (source == i) {
      if (int err = Sys(syscall(SYS_fcntl, i, F_SETFD, 0))) return err;
    } else {
      if (int err = Sys(syscall(SYS_dup3, source, i, 0))) return err;
    }
  }
  return 0;
}

struct LinuxDirent64 {
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[1];
};

int ParseFd(const char* name) {
  int value = 0;
  if (*name == '\0') return -1;
  for (; *name; name++) {
    if (*name < '0' || *name > '9') return -1;
    value = value * 10 + (*name - '0');
  }
  return value;
}

// Fallback for kernels without close_range: walk /proc/self/fd with a stack buffer. Never loop up
// to RLIMIT_NOFILE, which Node raises to a very large number.
int WalkFds(int from, bool cloexec, int keep) {
  long dir = syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir == -1) return errno;
  char buffer[2048];
  for (;;) {
    long size = syscall(SYS_getdents64, dir, buffer, sizeof buffer);
    if (size == -1) {
      int err = errno;
      syscall(SYS_close, dir);
      return err;
    }
    if (size == 0) break;
    for (long offset = 0; offset < size;) {
      auto* entry = reinterpret_cast<LinuxDirent64*>(buffer + offset);
      offset += entry->reclen;
      int fd = ParseFd(entry->name);
      if (fd < from || fd == dir || fd == keep) continue;
      if (cloexec) {
        syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
      } else {
        syscall(SYS_close, fd);
      }
    }
  }
  syscall(SYS_close, dir);
  return 0;
}

// close_range over [first, last]; an empty range succeeds.
bool CloseRange(unsigned int first, unsigned int last, unsigned int flags) {
  return first > last || syscall(SYS_close_range, first, last, flags) == 0;
}

int CloseOthers(const SpawnPlan* plan) {
  return CloseFdsFrom(plan->fdCount, plan->inPlace, plan->closeRange, plan->errorPipe);
}

// Tries every candidate like execvp: the first error that is not ENOENT/ENOTDIR wins.
int ExecCandidates(const SpawnPlan* plan) {
  int reported = ENOENT;
  bool haveReal = false;
  for (int i = 0; i < plan->candidateCount; i++) {
    syscall(SYS_execve, plan->candidates[i], plan->argv, plan->envp);
    int err = errno;
    if (!haveReal) {
      reported = err;
      haveReal = err != ENOENT && err != ENOTDIR;
    }
  }
  return reported;
}

// tcsetpgrp(0, getpgrp()). Every signal is blocked here, SIGTTOU included, so the kernel lets a
// background group take the terminal (as a job-control shell's child does before it execs).
int TakeTerminal() {
  pid_t group = static_cast<pid_t>(syscall(SYS_getpgid, 0));
  return Sys(syscall(SYS_ioctl, 0, TIOCSPGRP, &group));
}

// Every step in order; returns the failing stage with *error set, or Stage::Exec after execve
// failed for every candidate.
Stage RunSteps(SpawnPlan* plan, int* error) {
  Stage stage = Stage::Sigaction;
  int err = ResetDispositions(plan);
  if (err == 0 && plan->setsid) {
    stage = Stage::Setsid;
    err = Sys(syscall(SYS_setsid));
  } else if (err == 0 && plan->pgid >= 0) {
    stage = Stage::Setpgid;
    err = Sys(syscall(SYS_setpgid, 0, plan->pgid));
  }
  if (err == 0) err = SetCredentials(plan, &stage);
  if (err == 0 && plan->rlimitCount > 0) {
    stage = Stage::Rlimit;
    err = SetLimits(plan);
  }
  if (err == 0 && plan->umask >= 0) {
    stage = Stage::Umask;
    syscall(SYS_umask, plan->umask);
  }
  if (err == 0 && plan->noNewPrivs) {
    stage = Stage::NoNewPrivs;
    err = Sys(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  }
  if (err == 0 && plan->cgroupProcsFd >= 0) {
    stage = Stage::Cgroup;
    err = JoinCgroup(plan);
  }
  if (err == 0 && plan->deathSignal > 0) {
    stage = Stage::Pdeathsig;
    err = ArmDeathSignal(plan);
  }
  if (err == 0 && plan->cwd != nullptr) {
    stage = Stage::Chdir;
    err = Sys(syscall(SYS_chdir, plan->cwd));
  }
  if (err == 0) {
    stage = Stage::Fd;
    err = RemapFds(plan);
  }
  if (err == 0 && plan->takeTerminal) {
    stage = Stage::Terminal;
    err = TakeTerminal();
  }
  if (err == 0 && plan->closeFds) {
    stage = Stage::CloseFds;
    err = CloseOthers(plan);
  }
  if (err == 0) {
    stage = Stage::Sigmask;
    uint64_t mask = plan->mask;
    err = Sys(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, nullptr, kKernelSigsetSize));
  }
  if (err == 0) {
    stage = Stage::Exec;
    err = ExecCandidates(plan);
  }
  *error = err;
  return stage;
}

}  // namespace

int CloseFdsFrom(int from, bool cloexec, bool useCloseRange, int keep) noexcept {
  unsigned int flags = cloexec ? CLOSE_RANGE_CLOEXEC : 0;
  unsigned int first = static_cast<unsigned int>(from);
  if (useCloseRange) {
    bool done = keep < from ? CloseRange(first, ~0U, flags)
                            : CloseRange(first, static_cast<unsigned int>(keep) - 1, flags) &&
                                  CloseRange(static_cast<unsigned int>(keep) + 1, ~0U, flags);
    if (done) return 0;
  }
  return WalkFds(from, cloexec, keep);
}

int RunChild(void* arg) noexcept {
  auto* plan = static_cast<SpawnPlan*>(arg);
  plan->error.shared = 1;
  int err = 0;
  Stage stage = RunSteps(plan, &err);
  plan->error.error = err;
  plan->error.stage = static_cast<int32_t>(stage);
  if (plan->errorPipe >= 0) {
    int32_t record[2] = {static_cast<int32_t>(stage), err};
    syscall(SYS_write, plan->errorPipe, record, sizeof record);
  }
  for (;;) syscall(SYS_exit_group, 127);
}

void RunInPlace(SpawnPlan* plan) noexcept {
  int err = 0;
  Stage stage = RunSteps(plan, &err);
  plan->error.error = err;
  plan->error.stage = static_cast<int32_t>(stage);
}

}  // namespace procctl
