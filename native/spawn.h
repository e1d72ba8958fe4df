// JavaScript entry points for spawning and for the per-child handle (see lib/native.ts).
#pragma once

#include <napi.h>

namespace procctl {

Napi::Value Spawn(const Napi::CallbackInfo& info);
Napi::Value Signal(const Napi::CallbackInfo& info);
Napi::Value Reap(const Napi::CallbackInfo& info);
Napi::Value Release(const Napi::CallbackInfo& info);
Napi::Value SetRef(const Napi::CallbackInfo& info);
Napi::Value SetPidfdEnabled(const Napi::CallbackInfo& info);
Napi::Value SpawnPath(const Napi::CallbackInfo& info);

}  // namespace procctl
