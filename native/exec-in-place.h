// execve-in-place: replace the calling process with the same child setup as spawn.
#pragma once

#include <napi.h>

namespace procctl {

// Returns the error record as an object (only on failure; success never returns).
Napi::Value ExecInPlace(const Napi::CallbackInfo& info);

}  // namespace procctl
