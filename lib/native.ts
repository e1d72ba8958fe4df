// The typed binding over the native addon (native/*.cc). This file is the contract between the C++
// layer and the TypeScript layer: every native function is declared here, nothing is `any`.
// Callers above this file validate their input; the native side re-checks types and throws
// TypeError on a mismatch, but it does not re-validate ranges the TypeScript layer owns.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadAddon, packageRequire, packageRoot } from './package-root.cjs';
import { assertSupportedPlatform } from './platform.js';
import type { Rusage } from './exit.js';

export { packageRoot };

/** request.fds entry: the child fd is /dev/null (see NativeCommand.fds). */
export const DEV_NULL = -2;


/** What the exit watcher reports once per child. */
export interface NativeExit {
  pid: number;
  /** Exit code when the child exited normally, else null. */
  code: number | null;
  /** Signal number that killed the child, else 0. */
  signal: number;
  coreDumped: boolean;
  rusage: Rusage;
  /** True when the child was observed with WNOWAIT and is still a zombie: call reap(id) later. */
  held: boolean;
}

/** What the child runs, from where, and with which fds: the command half of a NativeSpawnRequest. */
export interface NativeCommand {
  /** The file as the user named it (used for error.path on exec failures). */
  file: string;
  /** Executable paths to try in order (PATH already applied). At least one. */
  candidates: string[];
  /** argv including argv[0]. */
  argv: string[];
  /** 'NAME=value' entries; null: this process's environ (main thread only, where Node keeps it in sync). */
  envp: string[] | null;
  /** Directory to chdir into, or null. */
  cwd: string | null;
  /**
   * Child fd i is a dup of parent fd fds[i]; -1 leaves child fd i closed; DEV_NULL (-2) makes it
   * /dev/null (opened by the addon for this spawn only). Overlaps are handled.
   */
  fds: number[];
}

/**
 * How the child is set up besides its command: the fds beyond its own, signals, group and
 * session, credentials, limits, cgroup (the other half of a NativeSpawnRequest).
 */
export interface ChildSetup {
  /** true: no fd other than those in `fds` survives into the child; false: only CLOEXEC fds close. */
  closeFds: boolean;
  /** true: every caught or ignored disposition 1..SIGRTMAX (bar KILL/STOP) becomes SIG_DFL. */
  resetSignals: boolean;
  /** Set to SIG_DFL regardless of resetSignals. */
  defaultSignals: number[];
  /** Set to SIG_IGN (applied after the reset). */
  ignoreSignals: number[];
  /** The mask to install just before execve; null keeps the caller's mask as it was. */
  mask: number[] | null;
  /** -1: stay in the caller's group; 0: new group led by the child; >0: join that group. */
  pgid: number;
  /** setsid() in the child (implies a new group). */
  setsid: boolean;
  /** The child's group becomes the foreground group of the terminal on its stdin (fd 0 after the fd plan). */
  takeTerminal: boolean;
  /** -1: unchanged. */
  uid: number;
  /** -1: unchanged. */
  gid: number;
  /** null: unchanged; []: cleared (setgroups(0, NULL)). */
  groups: number[] | null;
  /** -1: unchanged. */
  umask: number;
  /** [resource number, soft, hard]; Infinity means RLIM_INFINITY. */
  rlimits: Array<[number, number, number]>;
  /** PR_SET_PDEATHSIG signal, 0 for none. */
  deathSignal: number;
  noNewPrivs: boolean;
  /** Absolute path of a cgroup v2 directory the child joins before exec, or null. */
  cgroup: string | null;
}

/**
 * One plain request: everything the child needs, resolved by the caller before the clone (the
 * C side's SpawnRequest). Built only by nativeRequest() in lib/spawn/request.ts.
 */
export interface NativeSpawnRequest extends NativeCommand, ChildSetup {}

export interface NativeSpawnResult {
  /** Handle for signal/reap/release/setRef. Unique per addon instance. */
  id: number;
  pid: number;
  /** True when exit is watched through a pidfd, false on the SIGCHLD fallback. */
  pidfd: boolean;
}

export interface NativeExecResult {
  /** Only returned on failure: execve-in-place never returns on success. */
  code: string;
  /** Negative errno, as in Node's system errors (ENOENT → -2); the same holds for thrown errors. */
  errno: number;
  syscall: string;
  stage: string;
  path: string;
  message: string;
}

export interface NativeDispositions {
  ignored: number[];
  caught: number[];
  blocked: number[];
}

export interface NativeJobState {
  state: 'stopped' | 'continued';
  signal: number;
}

export interface NativeConstants {
  SIGRTMIN: number;
  SIGRTMAX: number;
  /** Exits can be watched through pidfds here: pidfd_open, poll and waitid(P_PIDFD) (Linux 5.4+). */
  hasPidfd: boolean;
  /**
   * Group sweeps go through the leader's pidfd in this environment: pidfd_send_signal takes
   * PIDFD_SIGNAL_PROCESS_GROUP here (Linux 6.9+) and PROCCTL_NO_PIDFD_GROUP=1 was not set when the
   * addon loaded (groupPidfd, signalGroupPidfd). A child spawned without a pidfd (CLONE_PIDFD
   * refused, as under qemu-user) still has none: groupPidfd(id) answers -1 for it.
   */
  hasPidfdGroupSignal: boolean;
  hasCloseRange: boolean;
}

export interface NativeBinding {
  constants: NativeConstants;
  /**
   * Create a child. Throws an Error with code, errno, syscall, stage and path when any setup step
   * fails (the failed child is reaped first). onExit is called exactly once, from the event loop.
   * hold: observe the exit with WNOWAIT (the pid stays a zombie until reap(id)).
   */
  spawn(req: NativeSpawnRequest, onExit: (exit: NativeExit) => void, hold: boolean): NativeSpawnResult;
  /** Signal the child through its pidfd. false when it was already reaped; throws on other errors. */
  signal(id: number, sig: number): boolean;
  /**
   * The child has not exited (no zombie either: waitid WNOWAIT, nothing collected) and its
   * process group is pgid (getpgid). false once reaped or forgotten. Two system calls.
   */
  liveInGroup(id: number, pgid: number): boolean;
  /** Reap a child held by WNOWAIT. Returns false when it was not held or is already reaped. */
  reap(id: number): boolean;
  /**
   * A copy (CLOEXEC) of the child's pidfd, for signalGroupPidfd, until closeGroupPidfd(fd) (or the
   * environment's teardown) closes it. It stays valid after reap(id), so the child's group is
   * still reached through it. -1 when the child is reaped or has no pidfd, when the kernel lacks
   * PIDFD_SIGNAL_PROCESS_GROUP (before 6.9) or PROCCTL_NO_PIDFD_GROUP=1 was set when the addon
   * loaded, or when no fd is left.
   */
  groupPidfd(id: number): number;
  /** Close a copy groupPidfd handed out; any other fd is left alone. */
  closeGroupPidfd(pidfd: number): void;
  /** Stop watching and close the pidfd (the child keeps running; it is not reaped). */
  release(id: number): void;
  /** ref/unref the child's watcher on the event loop (unref: it no longer keeps Node alive). */
  setRef(id: number, ref: boolean): void;
  /** Force the SIGCHLD/waitid fallback for later spawns (tests; kernels without pidfd). */
  setPidfdEnabled(enabled: boolean): void;
  /**
   * How this process clones: 'vfork' (CLONE_VM|CLONE_VFORK) or 'fork' (a plain fork-style clone,
   * failures read from an error pipe), taken for good under PROCCTL_FORK_SPAWN=1 or once
   * CLONE_VM|CLONE_VFORK was refused or ran without sharing memory (emulators).
   */
  spawnPath(): 'vfork' | 'fork';

  kill(pid: number, sig: number): void;
  killpg(pgid: number, sig: number): void;
  /**
   * pidfd_send_signal(pidfd, sig, NULL, PIDFD_SIGNAL_PROCESS_GROUP): sig to every process, zombies
   * included, whose process group is the one the pidfd's process led (by the kernel's pid object,
   * not the number: a later group that reuses the number is never reached). false (ESRCH) once no
   * process at all is left in that group; throws on other errors.
   */
  signalGroupPidfd(pidfd: number, sig: number): boolean;
  setpgid(pid: number, pgid: number): void;
  getpgid(pid: number): number;
  setsid(): number;
  getsid(pid: number): number;
  tcgetpgrp(fd: number): number;
  /** tcsetpgrp with SIGTTOU blocked for the call, so a background caller can take the terminal. */
  tcsetpgrp(fd: number, pgid: number): void;
  /**
   * A child's next job-control event without blocking: waitid(P_PID, WSTOPPED | WCONTINUED |
   * WNOHANG). Never collects an exit (the exit watcher still reaps it); null when nothing is to
   * report or pid is not a child. signal: the stop signal, or SIGCONT.
   */
  waitJobState(pid: number): NativeJobState | null;
  /** Empty the calling thread's signal mask. */
  resetSignalMask(): void;
  /** This process's dispositions (ignored/caught) and the calling thread's mask. */
  getSignalDispositions(): NativeDispositions;
  /**
   * Set one signal of this process to SIG_DFL or SIG_IGN (raw rt_sigaction, so realtime signals
   * work too). For init-style callers and for tests that need a parent with odd dispositions.
   */
  setSignalDisposition(sig: number, disposition: 'default' | 'ignore'): void;
  /** Replace the calling thread's signal mask; returns the previous mask as signal numbers. */
  setSignalMask(signals: number[]): number[];
  /**
   * Keep these signals pending until this process execs, whichever thread the kernel would hand
   * them to: block them here, and have every other thread block them too (each is sent a signal
   * whose handler adds them to its mask; a bounded wait until /proc shows it). One taken by a
   * thread before it blocked them is sent on to this thread. A pending signal survives execve; one
   * consumed by a handler would be lost with the process image. Only for a process about to exec
   * (procctl init): listeners for these signals stop firing. native/held-signals.cc has the
   * contract.
   */
  holdSignals(signals: number[]): void;
  setChildSubreaper(on: boolean): void;
  getChildSubreaper(): boolean;
  setDeathSignal(sig: number): void;
  /** Mark every fd >= 3 of this process CLOEXEC, except `keep` (whose CLOEXEC is cleared). */
  cloexecFrom(keep: number[]): void;
  /**
   * Replace this process (same PID) with the same signal and fd treatment as spawn: fds[i] become
   * fd i, closeFds marks everything else CLOEXEC (so a failure can still report). Returns only on
   * failure, with the error record; on success it does not return.
   */
  execve(req: NativeSpawnRequest): NativeExecResult;
  /**
   * Reap any exited child of this process without blocking: waitid(P_ALL, WEXITED|WNOHANG) until
   * none is left. Only for processes that do not also use node:child_process (init mode).
   */
  reapAny(): NativeExit[];
  /** pipe2(O_CLOEXEC): [readFd, writeFd], both blocking (the parent end goes to a net.Socket). */
  pipe(): [number, number];
  /** close(2) an fd this layer created (e.g. the child's end of a pipe after spawn). */
  close(fd: number): void;
  /**
   * Every connected AF_UNIX socket of this network namespace as [inode, peerInode], from one
   * NETLINK_SOCK_DIAG dump (UNIX_DIAG_PEER). Throws a system error when sock_diag is unavailable.
   */
  unixSocketPeers(): Array<[number, number]>;
  /**
   * One pass over /proc. pgid > 0: the live (non-zombie) members of that group, sorted; pgid 0:
   * the ids of every group that has a live member, or only of the groups in `among`. With pgid > 0
   * or `among` each process costs one getpgid(2), and only the groups' own processes have their
   * /proc/PID/stat read (zombie or not). Vanishing processes are skipped.
   */
  groupScan(pgid: number, among?: number[]): number[];
  /**
   * The same pass as groupScan(0, among), answering with one live member of each group:
   * [pgid, pid] for every group in `among` that has a live (non-zombie) member.
   */
  groupWitnesses(among: number[]): Array<[number, number]>;
  /**
   * Watch a process that need not be a child (pidfd_open + poll): onGone() is called once, from the
   * event loop, when it has exited (a zombie counts). Returns the watch id (> 0); 0 when the
   * process is already gone; -1 when pidfds are unavailable (poll instead). The watch keeps the
   * event loop alive until it fires or is removed.
   */
  watchProcessExit(pid: number, onGone: () => void): number;
  /** Stop a watch without calling it; unknown or already fired ids are ignored. */
  unwatchProcessExit(id: number): void;
}

/**
 * The file node-gyp-build picks for procctl's own two layouts, found with a few stat calls:
 * build/Release/procctl.node (a build from source, which it prefers unless PREBUILDS_ONLY is
 * set), else, when there is no build/ at all, prebuilds/linux-<arch>/procctl.glibc.node on a glibc
 * system. Loading node-gyp-build to find the same file (its module, os and package.json) costs
 * about 2 ms of every CLI start. null wherever its other rules may apply (PROCCTL_PREBUILD, LIBC,
 * Alpine, build/Debug, neither file there): then node-gyp-build decides.
 * test/native/prebuild.test.ts checks that both pick the same file.
 */
export function knownAddonPath(): string | null {
  const { PROCCTL_PREBUILD, LIBC } = process.env;
  if (PROCCTL_PREBUILD || LIBC) return null;
  const build = sourceBuildDir();
  if (build !== null) {
    if (existsSync(`${build}/procctl.node`)) return `${build}/procctl.node`;
    if (existsSync(`${packageRoot}/build`)) return null; // build/Debug, or a build that failed
  }
  if (existsSync('/etc/alpine-release')) return null;
  const prebuild = `${prebuildDir()}/procctl.glibc.node`;
  return existsSync(prebuild) ? prebuild : null;
}

/**
 * build/Release, where a build from source puts the addon and procctl-init; null with
 * PREBUILDS_ONLY set. node-gyp-build prefers it to prebuilds/, and so does every file procctl
 * takes from a build (knownAddonPath, init-binary.ts), so that they come from the same one.
 */
export function sourceBuildDir(): string | null {
  return process.env.PREBUILDS_ONLY ? null : `${packageRoot}/build/Release`;
}

/** This platform's directory of prebuilt files: prebuilds/<platform>-<arch>. */
export function prebuildDir(): string {
  return `${packageRoot}/prebuilds/${process.platform}-${process.arch}`;
}

function load(): NativeBinding {
  assertSupportedPlatform();
  // An explicit addon (the sanitizer build, scripts/test-asan.mjs) wins over build/ and prebuilds/.
  const override = process.env.PROCCTL_ADDON_PATH;
  try {
    if (override) return loadAddon(resolve(override)) as NativeBinding;
    const gypBuild = () => packageRequire('node-gyp-build') as { path(dir: string): string };
    return loadAddon(knownAddonPath() ?? gypBuild().path(packageRoot)) as NativeBinding;
  } catch (error) {
    // A load failure, said as one: not a failed setup step of whatever call came first.
    const where = override ? `PROCCTL_ADDON_PATH=${override}` : packageRoot;
    const failure = new Error(`procctl: cannot load the native addon (${where}): ${(error as Error).message.split('\n')[0]}`, { cause: error });
    Object.defineProperty(failure, 'code', { value: 'ERR_PROCCTL_ADDON_LOAD', enumerable: true });
    throw failure;
  }
}

let cached: NativeBinding | undefined;

/** The addon, loaded on first use (the CLI's inspect/tree never load it). */
export function native(): NativeBinding {
  cached ??= load();
  return cached;
}

export interface PlatformSupport {
  supported: boolean;
  /** Why not: the platform, or why the native addon does not load here. null when supported. */
  reason: string | null;
}

/**
 * Whether procctl works in this process: Linux, and the native addon loads (a prebuild for this
 * architecture and C library, or a build from source). Never throws.
 */
export function platformSupport(): PlatformSupport {
  try {
    native();
    return { supported: true, reason: null };
  } catch (error) {
    return { supported: false, reason: (error as Error).message };
  }
}
