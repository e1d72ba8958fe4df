// The vfork-style clone: runs RunChild on a dedicated stack with every signal blocked around it.
#pragma once

#include <sys/types.h>

#include "instance.h"
#include "spawn-plan.h"

namespace procctl {

struct CloneResult {
  pid_t pid = -1;   // -1: clone failed, errno in error
  int pidfd = -1;   // -1: no pidfd (disabled, unsupported)
  int error = 0;
  // The kernel rejected CLONE_PIDFD (before 5.2): nothing was cloned and pidfds are now disabled;
  // install the SIGCHLD watcher and call again.
  bool pidfdRejected = false;
};

// keepCallerMask: the child installs the caller's mask as it was before signals were blocked
// (request mask null); otherwise plan->mask is used as given.
CloneResult CloneChild(Instance* instance, SpawnPlan* plan, bool keepCallerMask);

// Take the fork path (a plain fork-style clone, failures read from the error pipe) for every later
// clone in this process. Called for PROCCTL_FORK_SPAWN=1, and by CloneChild itself when
// CLONE_VM|CLONE_VFORK is refused or does not share memory.
void UseForkPath();
bool ForkPathInUse();

// Blocks every signal in the calling thread; returns the previous mask's first 64 bits in *old.
void BlockAllSignals(sigset_t* old);

// The first 64 signals of a sigset as a bitmask (bit n-1 = signal n).
uint64_t MaskBits(const sigset_t& set);

}  // namespace procctl
