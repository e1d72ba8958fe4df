// Registers the native functions (see lib/native.ts for the contract). Context-aware: each
// environment (main thread, every worker) gets its own Instance.
#include <napi.h>

#include "exec-in-place.h"
#include "instance.h"
#include "primitives.h"
#include "sock-diag.h"
#include "spawn.h"

namespace procctl {
namespace {

struct Entry {
  const char* name;
  Napi::Value (*function)(const Napi::CallbackInfo&);
};

constexpr Entry kFunctions[] = {
    {"spawn", Spawn},
    {"signal", Signal},
    {"reap", Reap},
    {"release", Release},
    {"setRef", SetRef},
    {"setPidfdEnabled", SetPidfdEnabled},
    {"kill", Kill},
    {"killpg", Killpg},
    {"setpgid", Setpgid},
    {"getpgid", Getpgid},
    {"setsid", Setsid},
    {"getsid", Getsid},
    {"tcgetpgrp", Tcgetpgrp},
    {"tcsetpgrp", Tcsetpgrp},
    {"resetSignalMask", ResetSignalMask},
    {"getSignalDispositions", GetSignalDispositions},
    {"setSignalDisposition", SetSignalDisposition},
    {"setSignalMask", SetSignalMask},
    {"setChildSubreaper", SetChildSubreaper},
    {"getChildSubreaper", GetChildSubreaper},
    {"setDeathSignal", SetDeathSignal},
    {"cloexecFrom", CloexecFrom},
    {"execve", ExecInPlace},
    {"reapAny", ReapAny},
    {"pipe", Pipe},
    {"close", Close},
    {"unixSocketPeers", UnixSocketPeers},
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  CreateInstance(env);
  for (const Entry& entry : kFunctions) {
    exports.Set(entry.name, Napi::Function::New(env, entry.function, entry.name));
  }
  exports.Set("constants", Constants(env));
  return exports;
}

}  // namespace
}  // namespace procctl

static Napi::Object InitProcctl(Napi::Env env, Napi::Object exports) {
  return procctl::Init(env, exports);
}

NODE_API_MODULE(procctl, InitProcctl)
