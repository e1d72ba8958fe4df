// Process primitives for the calling process (see lib/native.ts): groups, sessions, terminals,
// job-control stops, signal state, subreaper, death signal, CLOEXEC marking, pipes, and the
// constants object. (reapAny is the exit watcher's, exit-watcher.h.)
#pragma once

#include <napi.h>

namespace procctl {

Napi::Value Kill(const Napi::CallbackInfo& info);
Napi::Value Killpg(const Napi::CallbackInfo& info);
// signalGroupPidfd(fd, sig): pidfd_send_signal with PIDFD_SIGNAL_PROCESS_GROUP; false on ESRCH.
Napi::Value SignalGroupPidfd(const Napi::CallbackInfo& info);
Napi::Value Setpgid(const Napi::CallbackInfo& info);
Napi::Value Getpgid(const Napi::CallbackInfo& info);
Napi::Value Setsid(const Napi::CallbackInfo& info);
Napi::Value Getsid(const Napi::CallbackInfo& info);
Napi::Value Tcgetpgrp(const Napi::CallbackInfo& info);
Napi::Value Tcsetpgrp(const Napi::CallbackInfo& info);
Napi::Value WaitJobState(const Napi::CallbackInfo& info);
Napi::Value ResetSignalMask(const Napi::CallbackInfo& info);
Napi::Value GetSignalDispositions(const Napi::CallbackInfo& info);
Napi::Value SetSignalDisposition(const Napi::CallbackInfo& info);
Napi::Value SetSignalMask(const Napi::CallbackInfo& info);
// held-signals.cc
Napi::Value HoldSignals(const Napi::CallbackInfo& info);
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info);
Napi::Value GetChildSubreaper(const Napi::CallbackInfo& info);
Napi::Value SetDeathSignal(const Napi::CallbackInfo& info);
Napi::Value CloexecFrom(const Napi::CallbackInfo& info);
Napi::Value Pipe(const Napi::CallbackInfo& info);
Napi::Value Close(const Napi::CallbackInfo& info);

Napi::Object Constants(Napi::Env env);

}  // namespace procctl
