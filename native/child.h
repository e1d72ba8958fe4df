// The child side of a spawn (child.cc): every setup step and the execve, in the cloned child or in
// this process (execve in place). child.cc's top comment is the contract its code lives under.
#pragma once

#include "spawn-plan.h"

namespace procctl {

// Runs every setup step and execve. Never returns: on failure it fills plan->error and exits 127.
// Entry of the cloned child.
[[noreturn]] int RunChild(void* plan) noexcept __attribute__((noinline));

// The same steps in the calling process (execve in place). Returns only on failure, with
// plan->error filled in.
void RunInPlace(SpawnPlan* plan) noexcept __attribute__((noinline));

// Closes (or, with cloexec, marks close-on-exec) every fd >= from except keep (-1: none):
// close_range when useCloseRange and the kernel has it, else a walk of /proc/self/fd.
// Async-signal-safe; returns 0 or a positive errno.
int CloseFdsFrom(int from, bool cloexec, bool useCloseRange, int keep = -1) noexcept;

}  // namespace procctl
