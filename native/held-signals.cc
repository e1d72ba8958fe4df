// holdSignals (lib/native.ts): for a process about to execve in place (procctl init), keep every
// held signal pending until the exec, whichever of Node's threads the kernel would hand it to.
//
// A signal consumed by a handler before the exec is lost with the process image; a pending one
// survives execve and the next program reads it. Blocking the signals on the calling thread is not
// enough: the kernel gives a process-directed signal to any thread that does not block it (a V8
// or libuv worker), and that thread would run libuv's handler or, with SIG_DFL, the default
// action (which the kernel drops for PID 1). So, as glibc does for setuid (SIGSETXID):
//  1. block the held signals on the calling thread (the holder);
//  2. install HoldSignalHandler for each of them;
//  3. send each other thread that does not already block them all one held signal with tgkill and
//     wait (bounded) until its SigBlk shows them. The handler adds the held signals to the mask
//     the kernel restores when it returns, so from then on that thread never takes one again.
// When HoldSignals returns, every thread blocks the held signals: one sent to the process stays on
// the process's queue until the exec. Threads created later inherit a blocked mask (their creator
// blocks them). A signal a thread took before it blocked them has run its handler to the end
// (every handler here runs with all signals blocked, the request's included): libuv's has written to
// its pipe, where the event loop reads it; HoldSignalHandler has sent it on to the holder, where
// it stays pending.
//
// HoldSignalHandler runs on arbitrary threads: async-signal-safe, raw syscalls and lock-free
// atomics only, errno kept.
#include "held-signals.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include "errors.h"
#include "kernel.h"
#include "primitives.h"

namespace procctl {
namespace {

std::atomic<pid_t> holderTid{0};
// The held set, as the first word of a kernel sigset (bit sig-1).
std::atomic<uint64_t> heldBits{0};

// How long the holder waits, in total, for the other threads to block the held signals. A thread
// that cannot run its handler within this (stopped under a debugger, say) is left as it is.
constexpr long kAskTimeoutNs = 2'000'000'000L;

long NowNs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1'000'000'000L + now.tv_nsec;
}

// Thread tid's blocked signals (SigBlk of its status); false when it is gone.
bool BlockedBy(pid_t tid, uint64_t* blocked) {
  std::string path = "/proc/self/task/" + std::to_string(tid) + "/status";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[4096];
  ssize_t n = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (n <= 0) return false;
  buffer[n] = '\0';
  const char* line = strstr(buffer, "\nSigBlk:");
  if (line == nullptr) return false;
  *blocked = strtoull(line + 8, nullptr, 16);
  return true;
}

std::vector<pid_t> Threads() {
  std::vector<pid_t> tids;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return tids;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') tids.push_back(static_cast<pid_t>(atol(entry->d_name)));
  }
  closedir(dir);
  return tids;
}

// Step 3, until every thread's SigBlk has the held signals (the kernel sets it only when the
// handler has returned, so this is also the confirmation) or the time is up: ask each thread that
// still takes one, once, with the lowest held signal it does not block. Each pass lists the
// threads again: a thread may start another meanwhile.
void AskOtherThreads(uint64_t held) {
  pid_t pid = getpid();
  long deadline = NowNs() + kAskTimeoutNs;
  std::vector<pid_t> asked;
  for (;;) {
    bool waiting = false;
    for (pid_t tid : Threads()) {
      uint64_t blocked = 0;
      if (!BlockedBy(tid, &blocked) || (blocked & held) == held) continue;
      waiting = true;
      bool known = false;
      for (pid_t seen : asked) known = known || seen == tid;
      if (known) continue;
      int sig = __builtin_ctzll(held & ~blocked) + 1;
      if (syscall(SYS_tgkill, pid, tid, sig) == 0) asked.push_back(tid);
    }
    if (!waiting || NowNs() >= deadline) return;
    timespec nap = {0, 200'000};
    nanosleep(&nap, nullptr);
  }
}

}  // namespace

extern "C" void HoldSignalHandler(int sig, siginfo_t* info, void* context) {
  int saved = errno;
  pid_t pid = static_cast<pid_t>(syscall(SYS_getpid));
  // The holder's request (AskOtherThreads) is a tgkill from this process; anything else is a
  // signal for the process, taken before this thread blocked it: on to the holder.
  if (info->si_code != SI_TKILL || info->si_pid != pid) {
    syscall(SYS_tgkill, pid, holderTid.load(std::memory_order_relaxed), sig);
  }
  // Either way this thread blocks the held signals from the handler's return on.
  sigset_t* mask = &static_cast<ucontext_t*>(context)->uc_sigmask;
  uint64_t held = heldBits.load(std::memory_order_relaxed);
  for (int s = 1; s <= kMaxSignal; s++) {
    if ((held >> (s - 1)) & 1) sigaddset(mask, s);
  }
  errno = saved;
}

Napi::Value HoldSignals(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "signals must be an array");
  Napi::Array signals = info[0].As<Napi::Array>();
  sigset_t held;
  sigemptyset(&held);
  uint64_t bits = 0;
  for (uint32_t i = 0; i < signals.Length(); i++) {
    Napi::Value value = signals.Get(i);
    int sig = value.IsNumber() ? value.As<Napi::Number>().Int32Value() : 0;
    if (sig < 1 || sig > kMaxSignal || sig == SIGKILL || sig == SIGSTOP) {
      throw Napi::TypeError::New(env, "signals[" + std::to_string(i) + "] must be a catchable signal number 1..64");
    }
    sigaddset(&held, sig);
    bits |= uint64_t{1} << (sig - 1);
  }
  if (bits == 0) return env.Undefined();
  // Step 1, first: a held signal must never reach the handler on the holder itself (it would
  // send it to itself as soon as the handler returned, forever).
  if (sigprocmask(SIG_BLOCK, &held, nullptr) == -1) ThrowErrno(env, "sigprocmask");
  holderTid.store(static_cast<pid_t>(syscall(SYS_gettid)), std::memory_order_relaxed);
  heldBits.store(bits, std::memory_order_relaxed);
  // Step 2. libc's sigaction, not the raw call: the kernel needs the C library's signal-return
  // trampoline.
  struct sigaction action = {};
  action.sa_sigaction = HoldSignalHandler;
  sigfillset(&action.sa_mask);
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    if (((bits >> (sig - 1)) & 1) && sigaction(sig, &action, nullptr) == -1) ThrowErrno(env, "sigaction");
  }
  AskOtherThreads(bits);
  return env.Undefined();
}

}  // namespace procctl
