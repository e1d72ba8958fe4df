// pipeline(): commands connected stdout → stdin by kernel pipes, run as one unit. Each command leads
// its own process group, as with exec(). The pipes are created here (pipe2, CLOEXEC) and handed to
// the children as fds, so the kernel does the backpressure: a reader that stops reading blocks
// its writer in write(), and a reader that exits gives it SIGPIPE/EPIPE. Nothing passes through
// this process but the last command's stdout and every command's stderr.
//
// One unit:
//   - the result is the last command's; a failure names the command that failed (the first one,
//     left to right, that failed on its own; a command killed by SIGPIPE because a later one
//     stopped reading does not count, as with `yes | head -1` in a shell);
//   - the timeout and the AbortSignal belong to the pipeline: either stops every command's group
//     with killSignal, then SIGKILL after killAfter;
//   - the promise settles once every command has exited and every stop has emptied its group.
import { native } from '../native.js';
import { assertSupportedPlatform } from '../platform.js';
import type { ExecOptions, ExecOutputOf, SpawnOptions } from '../options.js';
import { echo, splitArguments } from '../validate.js';
import { validateExecOptions, type ValidatedExec } from './options.js';
import { complete, start, type Outcome } from './exec.js';
import { ProcessError, quoteArgv, type ExecResult } from '../errors.js';
import type { Subprocess } from '../spawn/subprocess.js';
import { closeQuietly } from '../spawn/stdio.js';

/** Options of one command of a pipeline: where and as whom it runs; the rest is the pipeline's. */
export type PipelineCommandOptions = Omit<SpawnOptions, 'stdio' | 'timeout' | 'signal' | 'killSignal' | 'killAfter'>;

/** One command: [file], [file, args] or [file, args, options]. */
export type PipelineCommand = readonly [file: string, args?: readonly string[], options?: PipelineCommandOptions];

const OWN_OPTIONS = new Set(['stdio', 'timeout', 'signal', 'killSignal', 'killAfter']);

interface Stage {
  file: string;
  args: string[];
  plan: ValidatedExec;
}

/** Validate every command before anything is created. */
function planStages(commands: unknown, options: unknown, signal: AbortSignal): { stages: Stage[]; whole: ValidatedExec } {
  if (!Array.isArray(commands) || commands.length === 0) {
    throw new TypeError(`commands must be a non-empty array of [file, args?, options?]; got ${echo(commands)}`);
  }
  const [, shared] = splitArguments(undefined, options);
  // The pipeline's own options, checked once as exec() checks them (the first file stands in).
  const first: unknown = commands[0];
  const whole = validateExecOptions(Array.isArray(first) ? first[0] : first, [], shared);
  if (shared !== undefined && shared !== null && (shared as ExecOptions).stdio !== undefined) {
    throw new TypeError(`options.stdio is not a pipeline() option: the pipeline connects the commands itself`);
  }
  const stages = commands.map((command: unknown, i): Stage => {
    if (!Array.isArray(command) || command.length < 1 || command.length > 3) {
      throw new TypeError(`commands[${i}] must be [file, args?, options?]; got ${echo(command)}`);
    }
    const [file, args, own] = command as [unknown, unknown, unknown];
    if (own !== undefined && (typeof own !== 'object' || own === null || Array.isArray(own))) {
      throw new TypeError(`commands[${i}][2] (options) must be an object; got ${echo(own)}`);
    }
    for (const key of Object.keys(own ?? {})) {
      if (OWN_OPTIONS.has(key)) throw new TypeError(`commands[${i}][2].${key} is a pipeline option: pass it to pipeline() itself`);
    }
    const last = i === commands.length - 1;
    const merged: Record<string, unknown> = { ...(shared as object | undefined), ...(own as object | undefined) };
    // Output options describe the pipeline's result; the inner commands only report stderr.
    if (i > 0) delete merged.input;
    if (!last) merged.all = false;
    merged.timeout = 0;
    merged.signal = signal;
    merged.reject = false;
    merged.stdio = [i === 0 && merged.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'];
    const plan = validateExecOptions(file, args, merged);
    return { file: plan.spawn.file, args: plan.spawn.args, plan };
  });
  return { stages, whole };
}

/** Start every stage, wiring stage i's fd 1 to stage i+1's fd 0. On a failure, stop what started. */
async function startStages(stages: Stage[]): Promise<Subprocess[]> {
  const children: Subprocess[] = [];
  let readEnd = -1;
  try {
    for (const [i, stage] of stages.entries()) {
      const stdio = stage.plan.spawn.stdio;
      if (readEnd !== -1) stdio[0] = { kind: 'fd', fd: readEnd };
      let writeEnd = -1;
      let nextRead = -1;
      if (i < stages.length - 1) {
        [nextRead, writeEnd] = native().pipe();
        stdio[1] = { kind: 'fd', fd: writeEnd };
      }
      try {
        children.push(start(stage.plan, stage.file, stage.args));
      } catch (error) {
        closeQuietly([nextRead]);
        throw error;
      } finally {
        // The child holds its own copies now; the parent keeps only the next stage's read end.
        closeQuietly([readEnd, writeEnd].filter((fd) => fd !== -1));
      }
      readEnd = nextRead;
    }
    return children;
  } catch (error) {
    await Promise.all(children.map((child) => child.terminate({ signal: 'SIGKILL' }).catch(() => undefined)));
    if (error instanceof ProcessError) {
      const index = children.length;
      const commands = stages.map((s) => quoteArgv(s.file, s.args));
      throw new ProcessError({ ...error, file: error.file, args: error.args, cause: error.cause, pipeline: { index, commands } });
    }
    throw error;
  }
}

/** The command the pipeline's failure is reported against, or -1 when it succeeded. */
function failedIndex(outcomes: readonly Outcome[], stopped: boolean): number {
  const last = outcomes.length - 1;
  const own = outcomes.findIndex((o, i) => o.failed && !(i < last && o.result.signal === 'SIGPIPE'));
  if (own !== -1) return own;
  return stopped ? last : -1;
}

/**
 * Run commands connected stdout → stdin, as one unit: `pipeline([['cat', ['log']], ['grep',
 * ['error']], ['wc', ['-l']]])`. Resolves with the last command's result (stdout, stderr, code,
 * …; the options lines, all, encoding, stripFinalNewline and maxBuffer shape it as with exec()).
 * Rejects with ProcessError naming the command that failed (`error.pipeline.index`) on a failure,
 * a timeout or an abort, after every command has exited. `input` feeds the first command; the
 * other options apply to every command, and each command's own options (cwd, env, uid, …)
 * override them for that command.
 */
export function pipeline<const Options extends ExecOptions = {}>(
  commands: readonly PipelineCommand[],
  options?: Options,
): Promise<ExecResult<ExecOutputOf<Options>>>;
export async function pipeline(commands: readonly PipelineCommand[], options?: ExecOptions): Promise<ExecResult> {
  assertSupportedPlatform();
  const controller = new AbortController();
  const { stages, whole } = planStages(commands, options, controller.signal);
  const { timeout, abortSignal } = whole.spawn.stop;
  let timedOut = false;
  const onAbort = (): void => controller.abort(abortSignal?.reason);
  if (abortSignal?.aborted) onAbort();
  abortSignal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeout > 0 ? setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeout) : undefined;
  // A command that already exited by itself stops reacting to the pipeline's limits, but what it
  // left in its group (a background `sleep &` holding the next command's stdin) is still part of
  // the unit: the pipeline's stop sweeps every started group, exited leader or not.
  const sweeps: Promise<unknown>[] = [];
  let started: Subprocess[] = [];
  const stopAll = (): void => {
    const { killSignal, killAfter } = whole.spawn.stop;
    for (const child of started) sweeps.push(child.terminate({ signal: killSignal, grace: killAfter }).catch(() => undefined));
  };
  controller.signal.addEventListener('abort', stopAll, { once: true });
  try {
    const children = await startStages(stages);
    started = children;
    if (controller.signal.aborted) stopAll();
    const outcomes = await Promise.all(children.map((child, i) => complete(child, stages[i]!.plan)));
    await Promise.all(sweeps);
    const aborted = abortSignal?.aborted === true;
    const last = outcomes[outcomes.length - 1]!;
    const result: ExecResult = { ...last.result, timedOut };
    const index = failedIndex(outcomes, timedOut || aborted);
    if (index === -1 || !whole.reject) return result;
    const failed = outcomes[index]!;
    throw new ProcessError({
      ...result,
      stderr: failed.result.stderr,
      code: failed.result.code,
      signal: failed.result.signal,
      file: failed.file,
      args: failed.args,
      timedOut,
      aborted,
      killedByGroup: failed.reasons.killedByGroup,
      truncated: last.result.truncated || failed.result.truncated,
      maxBufferExceeded: last.maxBufferExceeded || failed.maxBufferExceeded,
      inputFailed: failed.reasons.inputFailed,
      cause: failed.inputError,
      pipeline: { index, commands: stages.map((s) => quoteArgv(s.file, s.args)) },
    });
  } finally {
    clearTimeout(timer);
    controller.signal.removeEventListener('abort', stopAll);
    abortSignal?.removeEventListener('abort', onAbort);
  }
}
