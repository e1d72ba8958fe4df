// The one plain struct shared by the parent (which fills it) and the child (which only reads it and
// writes the error record). Plain C types only: the child side must not touch anything with a
// constructor, a destructor or an allocator.
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "stages.h"

namespace procctl {

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

}  // namespace procctl
