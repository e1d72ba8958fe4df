// Sanitizer support for the vfork-style child. The child runs on the parent's memory (CLONE_VM)
// and never returns from its frames (it execs or exits), so in an AddressSanitizer build the
// redzones its instrumented frames wrote into the shared shadow memory stay behind. Reused, or
// unmapped and later mapped again by someone else (V8's heap), that memory would then be reported
// as a stack-buffer overflow. The parent clears the child stack's shadow after every clone and
// before unmapping it. A no-op in normal builds.
#pragma once

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace procctl {

inline void ForgetChildFrames(void* base, size_t size) {
#if defined(__SANITIZE_ADDRESS__)
  __asan_unpoison_memory_region(base, size);
#else
  (void)base;
  (void)size;
#endif
}

}  // namespace procctl
