// holdSignals' handler (held-signals.cc, whose top comment is the contract; the N-API function is
// declared with the other primitives, primitives.h). Named here so that the in-place exec
// (child.cc) can leave it installed until the kernel resets it at the exec.
#pragma once

#include <signal.h>

namespace procctl {

// Runs on a thread that took a held signal: sends a signal for the process on to the holding
// thread (blocked there, so it stays pending), and blocks the held signals on this thread.
extern "C" void HoldSignalHandler(int sig, siginfo_t* info, void* context);

}  // namespace procctl
