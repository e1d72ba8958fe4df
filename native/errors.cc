// Node-style system errors (see errors.h). The name table is ours because libuv lacks some of the
// codes a spawn can fail with (ENOEXEC) and strerrorname_np is newer than the glibc baseline.
#include "errors.h"

#include <errno.h>
#include <string.h>

namespace procctl {
namespace {

struct ErrnoEntry {
  int error;
  const char* name;
};

constexpr ErrnoEntry kNames[] = {
    {EPERM, "EPERM"},     {ENOENT, "ENOENT"},   {ESRCH, "ESRCH"},     {EINTR, "EINTR"},
    {EIO, "EIO"},         {ENXIO, "ENXIO"},     {E2BIG, "E2BIG"},     {ENOEXEC, "ENOEXEC"},
    {EBADF, "EBADF"},     {ECHILD, "ECHILD"},   {EAGAIN, "EAGAIN"},   {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},   {EFAULT, "EFAULT"},   {EBUSY, "EBUSY"},     {EEXIST, "EEXIST"},
    {EXDEV, "EXDEV"},     {ENODEV, "ENODEV"},   {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},
    {EINVAL, "EINVAL"},   {ENFILE, "ENFILE"},   {EMFILE, "EMFILE"},   {ENOTTY, "ENOTTY"},
    {ETXTBSY, "ETXTBSY"}, {EFBIG, "EFBIG"},     {ENOSPC, "ENOSPC"},   {EROFS, "EROFS"},
    {EMLINK, "EMLINK"},   {EPIPE, "EPIPE"},     {ERANGE, "ERANGE"},   {ENAMETOOLONG, "ENAMETOOLONG"},
    {ENOSYS, "ENOSYS"},   {ELOOP, "ELOOP"},     {ENOTSUP, "ENOTSUP"}, {EMEDIUMTYPE, "EMEDIUMTYPE"},
    {ELIBBAD, "ELIBBAD"}, {ENOTEMPTY, "ENOTEMPTY"}, {EDQUOT, "EDQUOT"}, {ESTALE, "ESTALE"},
};

}  // namespace

std::string ErrnoName(int error) {
  for (const ErrnoEntry& entry : kNames) {
    if (entry.error == error) return entry.name;
  }
  return "E" + std::to_string(error);
}

std::string ErrnoDescription(int error) {
  char buffer[256];
  // GNU strerror_r returns the message, which may or may not live in buffer.
  std::string text = strerror_r(error, buffer, sizeof buffer);
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

Napi::Error SystemError(Napi::Env env, int error, const char* syscall, const char* path) {
  std::string code = ErrnoName(error);
  std::string message = code + ": " + ErrnoDescription(error) + ", " + syscall;
  if (path != nullptr) message += std::string(" '") + path + "'";
  Napi::Error result = Napi::Error::New(env, message);
  Napi::Object object = result.Value();
  object.Set("code", code);
  object.Set("errno", -error);
  object.Set("syscall", syscall);
  if (path != nullptr) object.Set("path", path);
  return result;
}

void ThrowErrno(Napi::Env env, const char* syscall, const char* path) {
  throw SystemError(env, errno, syscall, path);
}

}  // namespace procctl
