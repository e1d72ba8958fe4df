/*
 * How procctl-init reports a command it could not start: the fixed record its child writes on the
 * report pipe, and the exit status for it. The one exec-failure mapping, as in lib/cli/command-
 * lookup.ts (execFailureStatus): ENOENT and ENOTDIR mean "not found" (127), every other exec error
 * means "found but not executable" (126). Header-only, no allocation, for init.c.
 */
#ifndef PROCCTL_INIT_EXEC_STATUS_H
#define PROCCTL_INIT_EXEC_STATUS_H

#include <errno.h>
#include <stdint.h>

#define EXEC_NOT_FOUND 127
#define EXEC_NOT_EXECUTABLE 126

/* PATH when the environment has none (as DEFAULT_PATH in lib/spawn/command.ts). */
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

enum exec_stage { STAGE_NONE, STAGE_SETPGID, STAGE_SETSID, STAGE_TERMINAL, STAGE_EXEC };

/* Written by the child between fork and execve, once, when a step fails. */
struct exec_failure {
  int32_t stage;
  int32_t error;
};

static inline int exec_status(int error) {
  return error == ENOENT || error == ENOTDIR ? EXEC_NOT_FOUND : EXEC_NOT_EXECUTABLE;
}

static inline const char *exec_stage_name(int stage) {
  switch (stage) {
    case STAGE_SETPGID: return "setpgid failed";
    case STAGE_SETSID: return "setsid failed";
    case STAGE_TERMINAL: return "cannot give it the terminal (tcsetpgrp failed)";
    default: return "exec failed";
  }
}

/* The error code as Node names it, for the one-line message. */
static inline const char *exec_errno_name(int error) {
  switch (error) {
    case E2BIG: return "argument list too long (E2BIG)";
    case ENOMEM: return "out of memory (ENOMEM)";
    case ETXTBSY: return "text file busy (ETXTBSY)";
    case ELOOP: return "too many symbolic links (ELOOP)";
    case ENAMETOOLONG: return "name too long (ENAMETOOLONG)";
    case EISDIR: return "is a directory (EISDIR)";
    case EPERM: return "operation not permitted (EPERM)";
    case EIO: return "i/o error (EIO)";
    case EINVAL: return "invalid argument (EINVAL)";
    case ELIBBAD: return "bad ELF interpreter (ELIBBAD)";
    default: return "exec error";
  }
}

#endif
