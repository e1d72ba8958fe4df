// The one builder of NativeSpawnRequest: spawn(), exec in place (procctl exec), the exec into
// procctl-init and the native tests all describe a child as a command plus the setup fields that
// differ from the defaults below.
import type { ChildSetup, NativeCommand, NativeSpawnRequest } from '../native.js';

/**
 * The request for `command`. Unless `setup` says otherwise, the child keeps this process's
 * credentials, limits, cgroup and group, gets no fd beyond its own, and starts with every signal
 * disposition at SIG_DFL and an empty mask. One object, built field by field (no spread copies:
 * a spawn loop allocates nothing more than it must).
 */
export function nativeRequest(command: NativeCommand, setup: Partial<ChildSetup> = {}): NativeSpawnRequest {
  return {
    file: command.file,
    candidates: command.candidates,
    argv: command.argv,
    envp: command.envp,
    cwd: command.cwd,
    fds: command.fds,
    closeFds: setup.closeFds ?? true,
    resetSignals: setup.resetSignals ?? true,
    defaultSignals: setup.defaultSignals ?? [],
    ignoreSignals: setup.ignoreSignals ?? [],
    mask: setup.mask === undefined ? [] : setup.mask,
    pgid: setup.pgid ?? -1,
    setsid: setup.setsid ?? false,
    takeTerminal: setup.takeTerminal ?? false,
    uid: setup.uid ?? -1,
    gid: setup.gid ?? -1,
    groups: setup.groups === undefined ? null : setup.groups,
    umask: setup.umask ?? -1,
    rlimits: setup.rlimits ?? [],
    deathSignal: setup.deathSignal ?? 0,
    noNewPrivs: setup.noNewPrivs ?? false,
    cgroup: setup.cgroup ?? null,
  };
}
