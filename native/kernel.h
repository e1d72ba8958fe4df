// Kernel interfaces used through raw syscall(): numbers and flags that older headers may lack,
// and the kernel's own struct sigaction. Raw calls keep the prebuild on the glibc 2.28 baseline.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "syscalls.h"

namespace procctl {

// Size of the kernel's sigset_t (64 signals), as rt_sigaction and rt_sigprocmask expect it.
constexpr size_t kKernelSigsetSize = 8;
constexpr int kMaxSignal = 64;

// The kernel's struct sigaction (x86_64 and arm64 share this layout).
struct KernelSigaction {
  void* handler;
  unsigned long flags;
  void* restorer;
  uint64_t mask;
};

}  // namespace procctl
