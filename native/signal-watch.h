// Signals Node cannot listen for (the realtime ones): uv_signal_t watchers on the environment's
// loop that call one JS callback with the signal number. Used by `procctl init` to forward every
// catchable signal. Unref'd like Node's own signal listeners: they never keep the loop alive.
#pragma once

#include <napi.h>

namespace procctl {

struct Instance;

// watchSignals(signals, callback): replaces any earlier set. Signal numbers 1..64 except KILL,
// STOP and glibc's reserved 32/33; libuv installs a handler for each (SA_RESTART).
Napi::Value WatchSignals(const Napi::CallbackInfo& info);
// unwatchSignals(): closes every watcher; each signal goes back to SIG_DFL.
Napi::Value UnwatchSignals(const Napi::CallbackInfo& info);
// Environment teardown.
void CloseSignalWatchers(Instance* instance);

}  // namespace procctl
