// Errors that look like Node's system errors: code ('ENOENT'), negative errno, syscall, path and a
// message in Node's format, which names the system call (`ENOENT: no such file or directory,
// execve 'foo'`, as fs.open's errors say `open 'foo'`).
#pragma once

#include <napi.h>

#include <string>

namespace procctl {

// 'ENOENT' for 2, 'E<n>' for numbers without a name.
std::string ErrnoName(int error);

// Lowercase description ("no such file or directory"), as libuv words it.
std::string ErrnoDescription(int error);

// error > 0 is a positive errno; the JavaScript `errno` is its negative, as in Node.
Napi::Error SystemError(Napi::Env env, int error, const char* syscall, const char* path = nullptr);

// Throws SystemError(errno at the time of the call) as a C++ exception.
[[noreturn]] void ThrowErrno(Napi::Env env, const char* syscall, const char* path = nullptr);

}  // namespace procctl
