// Error classes of the spawn API. Each kind carries a brand symbol (Symbol.for, so every copy of the
// package agrees on it: the ES module and the CommonJS build loaded side by side, or two installed
// versions) and both `SpawnError.is(e)` and `e instanceof SpawnError` test that brand, so an error
// from the other copy is recognised. Each keeps the lower error as `cause` and offers a short
// one-line message plus a long one with the details.
import type { Rusage } from './exit.js';

const spawnBrand = Symbol.for('procctl.SpawnError');
const processBrand = Symbol.for('procctl.ProcessError');

/** The fields a native spawn failure carries (see lib/native.ts). */
interface NativeSpawnFailure extends Error {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  stage?: unknown;
  path?: unknown;
}

/** instanceof of a subclass: the ordinary prototype-chain test. */
function ownInstance(cls: Function, value: unknown): boolean {
  return Function.prototype[Symbol.hasInstance].call(cls, value);
}

function textOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/**
 * A process could not be started: a setup step in the child (chdir, setuid, exec, …) or in the
 * parent (clone, pipe) failed. Nothing is left running: the native layer reaps a failed child.
 */
export class SpawnError extends Error {
  declare readonly [spawnBrand]: true;
  /** errno name, e.g. 'ENOENT'. */
  readonly code: string;
  /** Negative errno as Node reports it (e.g. -2), or 0 when unknown. */
  readonly errno: number;
  readonly syscall: string;
  /** The setup step that failed: 'exec', 'chdir', 'setuid', 'rlimit', 'cgroup', 'clone', … */
  readonly stage: string;
  /** The path the failing step used: the file for 'exec', the directory for 'chdir', … */
  readonly path: string;
  readonly file: string;
  readonly args: readonly string[];

  /** stage: the step to report when the native error names none (e.g. 'pipe' for pipe2 failures). */
  constructor(nativeError: NativeSpawnFailure, file: string, args: readonly string[], stage = 'spawn') {
    super(nativeError.message, { cause: nativeError });
    Object.defineProperty(this, spawnBrand, { value: true });
    this.name = 'SpawnError';
    this.code = textOr(nativeError.code, 'UNKNOWN');
    this.errno = typeof nativeError.errno === 'number' ? nativeError.errno : 0;
    this.syscall = textOr(nativeError.syscall, 'spawn');
    this.stage = textOr(nativeError.stage, stage);
    this.path = textOr(nativeError.path, file);
    this.file = file;
    this.args = args;
  }

  static is(value: unknown): value is SpawnError {
    return typeof value === 'object' && value !== null && spawnBrand in value;
  }

  /** `instanceof SpawnError` is true for a SpawnError of any copy of procctl. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === SpawnError ? SpawnError.is(value) : ownInstance(this, value);
  }
}

/** exec()'s output: a string, a Buffer (encoding 'buffer') or lines (lines: true). */
export type ExecOutput = string | Buffer | string[];

/** What a finished exec() reports; ProcessError carries the same fields. */
export interface ExecResult<Output extends ExecOutput = ExecOutput> {
  stdout: Output;
  stderr: Output;
  /** stdout and stderr interleaved in arrival order; only with `all: true`. */
  all?: Output;
  /** Exit code when the process exited normally, else null. */
  code: number | null;
  /** Name of the signal that killed the process ('SIGTERM'), else null. */
  signal: string | null;
  /** The timeout expired and the group was signalled. */
  timedOut: boolean;
  /** Output was cut short: pipes were still open drainTimeout after exit, or maxBuffer was hit. */
  truncated: boolean;
  /** PIDs that still held the output pipes when the drain timed out (empty otherwise). */
  pipeHolders: number[];
  /** Resource usage of the process (null when it never started). */
  rusage: Rusage | null;
  /** Milliseconds from the spawn to the process's exit. */
  durationMs: number;
}

/** Why a ProcessError happened, beyond the exit status itself. */
export interface ProcessErrorReasons {
  timedOut: boolean;
  /** The group was signalled by procctl (timeout, abort or maxBuffer), not just the process. */
  killedByGroup: boolean;
  /** The AbortSignal fired. */
  aborted: boolean;
  /** The input stream failed (its error is `cause`); the group was stopped. */
  inputFailed: boolean;
}

/** Where a failed command stood in a pipeline(). */
export interface PipelinePosition {
  /** 0-based index of the failed command. */
  index: number;
  /** Every command of the pipeline, quoted as a shell would show it. */
  commands: readonly string[];
}

export interface ProcessErrorInit extends ExecResult, ProcessErrorReasons {
  /** maxBuffer was exceeded (so `truncated` is true): the message names it as the reason. */
  maxBufferExceeded?: boolean;
  file: string;
  args: readonly string[];
  cause?: unknown;
  pipeline?: PipelinePosition;
}

function describeOutcome(init: ProcessErrorInit): string {
  if (init.aborted && init.cause !== undefined && init.code === null && init.signal === null) {
    return 'was aborted before it started';
  }
  if (init.inputFailed) {
    const why = init.cause instanceof Error ? init.cause.message : String(init.cause);
    const outcome = init.signal !== null ? `was killed by ${init.signal}` : `exited with code ${init.code}`;
    return `had its input fail (${why}) and ${outcome}`;
  }
  if (init.cause !== undefined && init.code === null && init.signal === null) {
    return `failed to start: ${init.cause instanceof Error ? init.cause.message : String(init.cause)}`;
  }
  const reasons: string[] = [];
  if (init.timedOut) reasons.push('timed out');
  if (init.aborted) reasons.push('was aborted');
  if (init.maxBufferExceeded === true) reasons.push('exceeded maxBuffer');
  if (init.signal !== null) reasons.push(`was killed by ${init.signal}`);
  else if (init.code !== null) reasons.push(`exited with code ${init.code}`);
  return reasons.join(' and ');
}

/** argv as a shell would show it. */
export function quoteArgv(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function tail(output: ExecOutput): string {
  const text = typeof output === 'string' ? output : Array.isArray(output) ? output.join('\n') : output.toString('utf8');
  const trimmed = text.trimEnd();
  return trimmed.length > 2000 ? `…${trimmed.slice(-2000)}` : trimmed;
}

/** exec() failed: non-zero exit, death by signal, timeout, abort, maxBuffer, or spawn failure. */
export class ProcessError extends Error implements ExecResult, ProcessErrorReasons {
  declare readonly [processBrand]: true;
  readonly file: string;
  readonly args: readonly string[];
  readonly stdout: ExecOutput;
  readonly stderr: ExecOutput;
  readonly all?: ExecOutput;
  readonly code: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly truncated: boolean;
  readonly pipeHolders: number[];
  readonly rusage: Rusage | null;
  readonly durationMs: number;
  readonly killedByGroup: boolean;
  readonly aborted: boolean;
  readonly inputFailed: boolean;
  /** For a pipeline(): which command failed (the file and args above are that command's). */
  readonly pipeline?: PipelinePosition;
  /** One line: `Command sh -c 'exit 3' exited with code 3`. */
  readonly shortMessage: string;
  /** The short message plus stderr and stdout (tails) and the pipe holders. */
  readonly longMessage: string;

  constructor(init: ProcessErrorInit) {
    const where = init.pipeline === undefined
      ? ''
      : ` (command ${init.pipeline.index + 1} of ${init.pipeline.commands.length} in pipeline ${init.pipeline.commands.join(' | ')})`;
    const shortMessage = `Command ${quoteArgv(init.file, init.args)}${where} ${describeOutcome(init)}`;
    const details = [shortMessage];
    if (init.pipeHolders.length > 0) details.push(`pipes still held by PIDs ${init.pipeHolders.join(', ')}`);
    const stderr = tail(init.stderr);
    const stdout = tail(init.stdout);
    if (stderr) details.push(`stderr:\n${stderr}`);
    if (stdout) details.push(`stdout:\n${stdout}`);
    const longMessage = details.join('\n');
    super(longMessage, init.cause === undefined ? undefined : { cause: init.cause });
    Object.defineProperty(this, processBrand, { value: true });
    this.name = 'ProcessError';
    this.shortMessage = shortMessage;
    this.longMessage = longMessage;
    this.file = init.file;
    this.args = init.args;
    this.stdout = init.stdout;
    this.stderr = init.stderr;
    if (init.all !== undefined) this.all = init.all;
    if (init.pipeline !== undefined) this.pipeline = init.pipeline;
    this.code = init.code;
    this.signal = init.signal;
    this.timedOut = init.timedOut;
    this.truncated = init.truncated;
    this.pipeHolders = init.pipeHolders;
    this.rusage = init.rusage;
    this.durationMs = init.durationMs;
    this.killedByGroup = init.killedByGroup;
    this.aborted = init.aborted;
    this.inputFailed = init.inputFailed;
  }

  static is(value: unknown): value is ProcessError {
    return typeof value === 'object' && value !== null && processBrand in value;
  }

  /** `instanceof ProcessError` is true for a ProcessError of any copy of procctl. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === ProcessError ? ProcessError.is(value) : ownInstance(this, value);
  }
}

/** The error spawn() throws and exec() rejects with when the AbortSignal fired before the start. */
export function abortError(reason: unknown): Error {
  const error = new Error('The operation was aborted', { cause: reason });
  error.name = 'AbortError';
  Object.defineProperty(error, 'code', { value: 'ABORT_ERR', enumerable: true });
  return error;
}
