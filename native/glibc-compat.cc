// Keeps the prebuild on the glibc 2.28 baseline although it is built against a newer glibc.
// Compiled only against glibc: against musl (Alpine) or any other libc this file is empty.
//
// libstdc++ and libgcc_eh are linked statically (no GLIBCXX_/CXXABI_ requirement), but GCC 12's
// archives reference symbols that newer glibc versions introduced or re-versioned. Each gets a
// hidden definition here, so the static link resolves it inside the addon and no new symbol
// version reaches the dynamic symbol table (test/native/glibc.test.ts checks with objdump -T).
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__GLIBC__)

#define PROCCTL_HIDDEN extern "C" __attribute__((visibility("hidden")))

// GLIBC_2.32. 0 means "maybe threaded": libstdc++ then always uses atomic reference counts.
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}

// GLIBC_2.36, reached through std::random_device (which the addon never uses), so
// getrandom(2) is plenty.
PROCCTL_HIDDEN uint32_t arc4random(void) {
  uint32_t value = 0;
  while (syscall(SYS_getrandom, &value, sizeof value, 0) != sizeof value) {
  }
  return value;
}

// GLIBC_2.34 moved these into libc under a new version; the versions of the architecture's base
// ABI (the first glibc that supported it) are still exported, so bind to those. Another
// architecture fails test/native/glibc.test.ts until it is added here.
#if defined(__x86_64__)
#define PROCCTL_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define PROCCTL_GLIBC_BASE "GLIBC_2.17"
#endif

#if defined(PROCCTL_GLIBC_BASE)
extern "C" int procctl_pthread_once_base(pthread_once_t*, void (*)(void));
extern "C" int procctl_pthread_key_create_base(pthread_key_t*, void (*)(void*));
__asm__(".symver procctl_pthread_once_base, pthread_once@" PROCCTL_GLIBC_BASE);
__asm__(".symver procctl_pthread_key_create_base, __pthread_key_create@" PROCCTL_GLIBC_BASE);

PROCCTL_HIDDEN int pthread_once(pthread_once_t* once, void (*init)(void)) {
  return procctl_pthread_once_base(once, init);
}

PROCCTL_HIDDEN int __pthread_key_create(pthread_key_t* key, void (*destructor)(void*)) {
  return procctl_pthread_key_create_base(key, destructor);
}
#endif

// GLIBC_2.35: the unwinder's fast lookup of the object holding a pc. The same answer comes from
// dl_iterate_phdr, which is what libgcc used before 2.35. Only needed (and only declared) when
// building against glibc 2.35 or newer.
#if __GLIBC_PREREQ(2, 35)
namespace {

struct FindState {
  uintptr_t pc;
  struct dl_find_object* result;
  bool found;
};

int FindObject(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  auto* state = static_cast<FindState*>(data);
  uintptr_t start = UINTPTR_MAX, end = 0, ehFrame = 0;
  bool contains = false;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)& header = info->dlpi_phdr[i];
    uintptr_t low = info->dlpi_addr + header.p_vaddr;
    if (header.p_type == PT_LOAD) {
      uintptr_t high = low + header.p_memsz;
      if (low < start) start = low;
      if (high > end) end = high;
      if (state->pc >= low && state->pc < high) contains = true;
    } else if (header.p_type == PT_GNU_EH_FRAME) {
      ehFrame = low;
    }
  }
  if (!contains) return 0;
  state->result->dlfo_flags = 0;
  state->result->dlfo_map_start = reinterpret_cast<void*>(start);
  state->result->dlfo_map_end = reinterpret_cast<void*>(end);
  state->result->dlfo_link_map = nullptr;
  state->result->dlfo_eh_frame = reinterpret_cast<void*>(ehFrame);
  state->found = ehFrame != 0;
  return 1;
}

}  // namespace

PROCCTL_HIDDEN int _dl_find_object(void* pc, struct dl_find_object* result) {
  FindState state = {reinterpret_cast<uintptr_t>(pc), result, false};
  dl_iterate_phdr(FindObject, &state);
  return state.found ? 0 : -1;
}
#endif

#endif  // __GLIBC__
