// The public option types of spawn(), exec() and pipeline(). Each family is checked beside the code
// that uses it: lib/spawn/command.ts (file, args, argv0, cwd, env, preferLocal), lib/spawn/stdio.ts
// (stdio), lib/spawn/signal-options.ts (group, session, signals, deathSignal, timeout, killSignal,
// killAfter, signal), lib/spawn/credentials.ts (uid, gid, groups, umask, rlimits, cgroup),
// lib/spawn/options.ts (all of spawn's at once) and lib/exec/options.ts (exec's own).
import type { Readable, Stream } from 'node:stream';

/** What a child fd is connected to: a new pipe, /dev/null, the parent's same fd, or a given fd. */
export type StdioName = 'pipe' | 'ignore' | 'inherit';
/** A stream that owns an fd: fs streams once open, process.stdout, a net.Socket, … */
export interface StreamWithFd {
  readonly fd?: number | null;
}
export type StdioEntry = StdioName | number | StreamWithFd | Stream | null | undefined;
/** The `stdio` option: one name for fds 0–2, or one entry per child fd. */
export type StdioOption = StdioName | readonly StdioEntry[];

/** An rlimit: one value for soft and hard, [soft, hard] or {soft, hard}; Infinity or 'unlimited'. */
export type RlimitValue = number | 'unlimited' | readonly [number | 'unlimited', number | 'unlimited'] | {
  readonly soft: number | 'unlimited';
  readonly hard: number | 'unlimited';
};
export type RlimitName =
  | 'as' | 'core' | 'cpu' | 'data' | 'fsize' | 'locks' | 'memlock' | 'msgqueue' | 'nice' | 'nofile'
  | 'nproc' | 'rss' | 'rtprio' | 'rttime' | 'sigpending' | 'stack';

/** The signal names of Linux, as the kernel headers spell them (lib/signals.ts has the numbers). */
export type StandardSignalName =
  | 'SIGHUP' | 'SIGINT' | 'SIGQUIT' | 'SIGILL' | 'SIGTRAP' | 'SIGABRT' | 'SIGIOT' | 'SIGBUS' | 'SIGFPE'
  | 'SIGKILL' | 'SIGUSR1' | 'SIGSEGV' | 'SIGUSR2' | 'SIGPIPE' | 'SIGALRM' | 'SIGTERM' | 'SIGSTKFLT'
  | 'SIGCHLD' | 'SIGCLD' | 'SIGCONT' | 'SIGSTOP' | 'SIGTSTP' | 'SIGTTIN' | 'SIGTTOU' | 'SIGURG'
  | 'SIGXCPU' | 'SIGXFSZ' | 'SIGVTALRM' | 'SIGPROF' | 'SIGWINCH' | 'SIGIO' | 'SIGPOLL' | 'SIGPWR'
  | 'SIGSYS' | 'SIGUNUSED';
/** Realtime signals: SIGRTMIN+n counts up from SIGRTMIN, SIGRTMAX-n down from SIGRTMAX. */
export type RealtimeSignalName = 'SIGRTMIN' | 'SIGRTMAX' | `SIGRTMIN+${number}` | `SIGRTMAX-${number}`;
/** A signal name with SIG ('SIGTERM', 'SIGRTMIN+3') or without ('TERM', 'RTMIN+3'). */
export type SignalName =
  | StandardSignalName | RealtimeSignalName
  | (StandardSignalName | RealtimeSignalName extends `SIG${infer Short}` ? Short : never);
/**
 * A signal: a known name (a misspelt one such as 'SIGTREM' does not compile) or a number from 1
 * to 64. At run time names are also accepted in any case ('term'), and checked again.
 */
export type SignalLike = SignalName | number;

export interface SpawnOptions {
  /**
   * Working directory of the child (string or file: URL).
   * @default process.cwd()
   */
  cwd?: string | URL;
  /**
   * The child's whole environment; when given, nothing of process.env leaks in.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
  /**
   * argv[0] as the child sees it.
   * @default file
   */
  argv0?: string;
  /**
   * Entry i is the child's fd i; a string applies to fds 0–2. A fixed tuple types the streams:
   * `['ignore', 'pipe', 'inherit']` gives `stdout: Readable` and `stdin: null`.
   * @default 'pipe'
   */
  stdio?: StdioOption;
  /**
   * 'new': the child leads a new group; 'inherit': stays in ours; a pgid: joins it.
   * @default 'new'
   */
  group?: 'new' | 'inherit' | number;
  /**
   * true: setsid() in the child (a new session and group).
   * @default false
   */
  session?: boolean;
  /**
   * true: the child's group becomes the foreground group of the terminal on its stdin before it
   * execs (tcsetpgrp in the child, as a job-control shell starts a foreground job), so it can read
   * the terminal from its first instruction and Ctrl-C/Ctrl-Z reach it. Needs a group of its own in
   * this session (group 'new' or a pgid, no session); a stdin that is not this session's
   * terminal fails the spawn at stage 'terminal' (ENOTTY). Taking the terminal back is the
   * caller's job.
   * @default false
   */
  takeTerminal?: boolean;
  /**
   * Every disposition 1..SIGRTMAX back to SIG_DFL and the mask emptied before exec.
   * @default true
   */
  resetSignals?: boolean;
  /**
   * Signals the child starts with ignored (SIG_IGN, applied after the reset). Not SIGKILL/SIGSTOP.
   * @default []
   */
  ignoreSignals?: readonly SignalLike[];
  /**
   * The child's signal mask at exec. Not SIGKILL/SIGSTOP.
   * @default [] (an empty mask; with resetSignals: false, the caller's mask)
   */
  blockSignals?: readonly SignalLike[];
  /**
   * Signals set back to SIG_DFL even when resetSignals is false.
   * @default []
   */
  defaultSignals?: readonly SignalLike[];
  /**
   * No fd beyond the stdio array survives into the child.
   * @default true
   */
  closeFds?: boolean;
  /**
   * User id to run as (setuid before exec; needs privilege).
   * @default unchanged (this process's uid)
   */
  uid?: number;
  /**
   * Group id to run as (setgid before exec; needs privilege).
   * @default unchanged (this process's gid)
   */
  gid?: number;
  /**
   * Supplementary group ids (setgroups). A uid or gid change without groups clears them.
   * @default unchanged; [] when uid or gid is given and this process holds CAP_SETGID
   */
  groups?: readonly number[];
  /**
   * File mode creation mask of the child, 0 to 0o777.
   * @default unchanged (this process's umask)
   */
  umask?: number;
  /**
   * Resource limits set with prlimit before exec, e.g. `{nofile: 1024, core: 0}`.
   * @default {} (the caller's limits)
   */
  rlimits?: Partial<Record<RlimitName, RlimitValue>>;
  /**
   * Signal the child receives when this thread dies (PR_SET_PDEATHSIG); null: none.
   * @default null
   */
  deathSignal?: SignalLike | null;
  /**
   * Absolute path of a cgroup v2 directory the child joins before exec.
   * @default none (the caller's cgroup)
   */
  cgroup?: string;
  /**
   * PR_SET_NO_NEW_PRIVS: exec cannot gain privileges (setuid bits, file capabilities).
   * @default false
   */
  noNewPrivs?: boolean;
  /**
   * Prepend node_modules/.bin of cwd and of each parent directory to PATH, nearest first, for the
   * search of `file` and in the child's environment.
   * @default false
   */
  preferLocal?: boolean;
  /**
   * Milliseconds; when it expires the group gets killSignal, then SIGKILL after killAfter. 0: none.
   * @default 0
   */
  timeout?: number;
  /**
   * First signal of a stop by timeout, abort or maxBuffer.
   * @default 'SIGTERM'
   */
  killSignal?: SignalLike;
  /**
   * Milliseconds from killSignal to SIGKILL; Infinity: never escalate.
   * @default 5000
   */
  killAfter?: number;
  /**
   * Aborting kills the group the same way a timeout does.
   * @default none
   */
  signal?: AbortSignal;
}

export interface ExecOptions extends SpawnOptions {
  /**
   * Written to stdin, which is then closed. Without input, stdin is /dev/null.
   * @default none
   */
  input?: string | Buffer | Uint8Array | Readable;
  /**
   * A Buffer encoding for strings, or 'buffer' for Buffers.
   * @default 'utf8'
   */
  encoding?: BufferEncoding | 'buffer';
  /**
   * Bytes per stream; beyond it the output is cut and the group killed.
   * @default 67108864 (64 MiB)
   */
  maxBuffer?: number;
  /**
   * Milliseconds to wait for the pipes to close after the process exits.
   * @default 100
   */
  drainTimeout?: number;
  /**
   * Reject with ProcessError on non-zero exit, signal, timeout or abort.
   * @default true
   */
  reject?: boolean;
  /**
   * Also collect stdout and stderr interleaved, in the order they arrived, as `result.all`.
   * @default false
   */
  all?: boolean;
  /**
   * Remove one final newline ('\n' or '\r\n') from stdout, stderr and all.
   * @default false
   */
  stripFinalNewline?: boolean;
  /**
   * Split stdout, stderr and all into arrays of lines ('\n' or '\r\n'; a last line without a
   * newline is kept). Not with encoding 'buffer'.
   * @default false
   */
  lines?: boolean;
}

/** The stdio option an options type carries (undefined when it has none). */
export type StdioOf<Options> = Options extends { readonly stdio?: infer S } ? (unknown extends S ? undefined : S) : undefined;

type EntryStream<Entry, T> = [Entry] extends ['pipe' | undefined | null]
  ? T
  : [Entry] extends [Exclude<Entry, 'pipe' | undefined | null>] ? null : T | null;

type EntryAt<S extends readonly unknown[], Fd extends 0 | 1 | 2> = Fd extends 0
  ? (S extends readonly [infer E, ...unknown[]] ? E : undefined)
  : Fd extends 1
    ? (S extends readonly [unknown, infer E, ...unknown[]] ? E : undefined)
    : (S extends readonly [unknown, unknown, infer E, ...unknown[]] ? E : undefined);

/**
 * The parent's stream on child fd 0, 1 or 2 for a stdio option: T where the option makes it a
 * pipe, null where it cannot be one, `T | null` where the type does not say.
 */
export type StdioStreamOf<S, Fd extends 0 | 1 | 2, T> = [S] extends [undefined | 'pipe']
  ? T
  : [S] extends ['ignore' | 'inherit']
    ? null
    : S extends readonly unknown[]
      ? number extends S['length'] ? T | null : EntryStream<EntryAt<S, Fd>, T>
      : T | null;

/** What exec() resolves each output to for an options type: lines, Buffers or strings. */
export type ExecOutputOf<Options> = Options extends { readonly lines: true }
  ? string[]
  : Options extends { readonly encoding: 'buffer' } ? Buffer : string;
