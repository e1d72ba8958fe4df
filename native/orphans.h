// Children whose environment (a worker thread) ended while they still ran. Their exit watcher is
// gone with the environment, so whichever environment spawns next reaps those that have exited
// since; without this each would stay a zombie for the life of the process.
#pragma once

#include <sys/types.h>

namespace procctl {

// Hands over a still-running child; pidfd (or -1: watched by pid) is a descriptor owned from now on.
void AdoptOrphan(pid_t pid, int pidfd);

// Reaps every adopted child that has exited (or was reaped elsewhere) and closes its pidfd.
// Thread-safe: any environment may call it.
void ReapExitedOrphans();

}  // namespace procctl
