// holdSignals (held-signals.cc, whose top comment is its contract): keep signals pending until an
// execve in place. The handler is named here so that the in-place exec (child.cc) can leave it
// installed until the kernel resets it at the exec.
#pragma once

#include <napi.h>
#include <signal.h>

namespace procctl {

Napi::Value HoldSignals(const Napi::CallbackInfo& info);

// Runs on a thread that took a held signal: sends a signal for the process on to the holding
// thread (blocked there, so it stays pending), and blocks the held signals on this thread.
extern "C" void HoldSignalHandler(int sig, siginfo_t* info, void* context);

}  // namespace procctl
