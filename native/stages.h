// The steps of the child setup, and for each the name the JavaScript error reports as `stage` and
// the system call behind it (`syscall`): one table, in the order the steps run.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace procctl {

// Steps of the child setup, in the order they run. A failure reports the step and errno.
enum class Stage : int32_t {
  None = 0,
  Sigaction,
  Setsid,
  Setpgid,
  Setgroups,
  Setgid,
  Setuid,
  Rlimit,
  Umask,
  NoNewPrivs,
  Cgroup,
  Pdeathsig,
  Chdir,
  Fd,
  Terminal,
  CloseFds,
  Sigmask,
  Exec,
};

struct StageEntry {
  Stage stage;
  const char* name;     // error.stage: 'exec', 'chdir', ...
  const char* syscall;  // error.syscall: 'execve', 'chdir', ...
};

// One row per Stage, in the enum's order (checked below).
inline constexpr StageEntry kStages[] = {
    {Stage::None, "none", "spawn"},
    {Stage::Sigaction, "sigaction", "rt_sigaction"},
    {Stage::Setsid, "setsid", "setsid"},
    {Stage::Setpgid, "setpgid", "setpgid"},
    {Stage::Setgroups, "setgroups", "setgroups"},
    {Stage::Setgid, "setgid", "setgid"},
    {Stage::Setuid, "setuid", "setuid"},
    {Stage::Rlimit, "rlimit", "prlimit64"},
    {Stage::Umask, "umask", "umask"},
    {Stage::NoNewPrivs, "no_new_privs", "prctl"},
    {Stage::Cgroup, "cgroup", "write"},
    {Stage::Pdeathsig, "pdeathsig", "prctl"},
    {Stage::Chdir, "chdir", "chdir"},
    {Stage::Fd, "fd", "dup3"},
    {Stage::Terminal, "terminal", "tcsetpgrp"},
    {Stage::CloseFds, "close_fds", "close_range"},
    {Stage::Sigmask, "sigmask", "rt_sigprocmask"},
    {Stage::Exec, "exec", "execve"},
};

constexpr bool StagesInEnumOrder() {
  for (size_t i = 0; i < sizeof(kStages) / sizeof(kStages[0]); i++) {
    if (static_cast<size_t>(kStages[i].stage) != i) return false;
  }
  return sizeof(kStages) / sizeof(kStages[0]) == static_cast<size_t>(Stage::Exec) + 1;
}
static_assert(StagesInEnumOrder(), "kStages: one row per Stage, in the enum's order");

// The table's row for a stage; an out-of-range value reads as None.
inline const StageEntry& StageRow(Stage stage) {
  size_t index = static_cast<size_t>(stage);
  return index < sizeof(kStages) / sizeof(kStages[0]) ? kStages[index] : kStages[0];
}

// Name of a stage as the JavaScript error's `stage` ('exec', 'chdir', ...).
inline const char* StageName(Stage stage) { return StageRow(stage).name; }
// The system call behind a stage, as the JavaScript error's `syscall` ('execve', 'chdir', ...).
inline const char* StageSyscall(Stage stage) { return StageRow(stage).syscall; }

}  // namespace procctl
