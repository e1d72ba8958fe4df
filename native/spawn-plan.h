// The one plain struct shared by the parent (which fills it) and the child (which only reads it and
// writes the error record). Plain C types only: the child side must not touch anything with a
// constructor, a destructor or an allocator.
#pragma once

#include <stdint.h>
#include <sys/types.h>

namespace procctl {

// Steps of the child setup, in the order they run. A failure reports the step and errno.
enum class Stage : int32_t {
  None = 0,
  Sigaction,
  Setsid,
  Setpgid,
  Setgroups,
  Setgid,
  Setuid,
  Rlimit,
  Umask,
  NoNewPrivs,
  Cgroup,
  Pdeathsig,
  Chdir,
  Fd,
  Terminal,
  CloseFds,
  Sigmask,
  Exec,
};

// Name of a stage as the JavaScript error's `stage` ('exec', 'chdir', ...).
const char* StageName(Stage stage);
// The system call behind a stage, as the JavaScript error's `syscall` ('execve', 'chdir', ...).
const char* StageSyscall(Stage stage);

struct PlanRlimit {
  int resource;
  uint64_t soft;
  uint64_t hard;
};

// Written by the child on failure, read by the parent after the vfork-style clone returns. When
// the clone ran as a fork (no shared memory), the child's writes reach only its own copy, so the
// parent takes {stage, error} from the error pipe instead.
struct ErrorRecord {
  volatile int32_t stage;  // a Stage; None when every step succeeded (the child exec'd)
  volatile int32_t error;  // positive errno
  volatile int32_t shared; // the child's first write: 1 in the parent's memory only if shared
};

struct SpawnPlan {
  // exec
  const char* file;                 // as the user named it: error.path for exec failures
  const char* const* candidates;    // executable paths to try, in order
  int candidateCount;
  char* const* argv;                // NULL-terminated
  char* const* envp;                // NULL-terminated
  const char* cwd;                  // NULL: unchanged

  // fds: child fd i receives parent fd fds[i]; -1 closes it. scratch has room for fdCount ints.
  const int* fds;
  int* scratch;
  int fdCount;
  bool closeFds;
  // false: walk /proc/self/fd instead of close_range (old kernels, or PROCCTL_NO_CLOSE_RANGE=1).
  bool closeRange;
  // Execve in this process: mark fds CLOEXEC instead of closing them, so a failure can report.
  bool inPlace;

  // signals, as 64-bit masks where bit (n - 1) stands for signal n
  bool resetSignals;
  uint64_t defaultSignals;
  uint64_t ignoreSignals;
  uint64_t mask;                    // installed just before execve

  // group and session
  int pgid;                         // -1 unchanged, 0 new group, > 0 join
  bool setsid;
  // The child's group becomes the foreground group of the terminal on its stdin, after the fds
  // are in place (a job-control shell's foreground job, without the window where the command
  // runs before its parent hands the terminal over).
  bool takeTerminal;

  // credentials
  int64_t uid;                      // -1 unchanged; else 0 ..= 4294967294 (uid_t is 32 bits)
  int64_t gid;                      // -1 unchanged; else 0 ..= 4294967294
  const gid_t* groups;
  int groupCount;                   // -1 unchanged

  const PlanRlimit* rlimits;
  int rlimitCount;
  int umask;                        // -1 unchanged
  bool noNewPrivs;
  int cgroupProcsFd;                // -1: no cgroup; else an O_WRONLY fd of <cgroup>/cgroup.procs
  int deathSignal;                  // 0: none
  pid_t expectedParent;             // getpid() of the parent, captured before the clone

  // Write end of the CLOEXEC error pipe, above every fd target, or -1 (execve in place, or once
  // the clone is known to share memory). The child writes {stage, error} to it on failure; the
  // fd cleanup leaves it open, and exec closes it.
  int errorPipe;

  ErrorRecord error;
};

// Runs every setup step and execve. Never returns: on failure it fills plan->error and exits 127.
// Entry of the cloned child; see child.cc for the rules this code lives under.
[[noreturn]] int RunChild(void* plan) noexcept __attribute__((noinline));

// The same steps in the calling process (execve in place). Returns only on failure, with
// plan->error filled in.
void RunInPlace(SpawnPlan* plan) noexcept __attribute__((noinline));

// Closes (or, with cloexec, marks close-on-exec) every fd >= from except keep (-1: none):
// close_range when useCloseRange and the kernel has it, else a walk of /proc/self/fd.
// Async-signal-safe; returns 0 or a positive errno.
int CloseFdsFrom(int from, bool cloexec, bool useCloseRange, int keep = -1) noexcept;

}  // namespace procctl
