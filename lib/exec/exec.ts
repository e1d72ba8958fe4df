// exec(): run a command to completion and collect its output. Resolves when the process has exited
// and its pipes are closed, or drainTimeout after the exit, whichever comes first. The hot path is
// one spawn plus stream reads: /proc is only scanned when the drain actually times out.
import type { Writable } from 'node:stream';
import { assertSupportedPlatform } from '../platform.js';
import type { ExecOptions, ExecOutputOf } from '../options.js';
import { splitArguments } from '../validate.js';
import { validateExecOptions, type ValidatedExec } from './options.js';
import { spawnValidated } from '../spawn/spawn.js';
import { internals, type Subprocess } from '../spawn/subprocess.js';
import { collect, collectedOutput, drainAfterExit, joinChunks, type Collector } from './drain.js';
import { ProcessError, SpawnError, type ExecOutput, type ExecResult, type ProcessErrorReasons } from '../errors.js';
import { splitLines, stripFinalNewline } from '../spawn/lines.js';
import { isSuccess } from '../exit.js';

/**
 * Write the input to the child's stdin. Returns a getter for the input stream's own error: a
 * stream that fails (ENOENT on open, an error mid-way) would otherwise pass for a short input,
 * and the child would exit 0 on a truncated one. onInputError stops the group.
 */
function writeInput(stdin: Writable | null, input: ValidatedExec['input'], onInputError: () => void): () => Error | undefined {
  let inputError: Error | undefined;
  if (stdin === null) return () => inputError;
  // The child may exit without reading its input: EPIPE is expected, not an error of exec().
  stdin.on('error', () => undefined);
  if (input === null) stdin.end();
  else if (typeof input === 'string' || input instanceof Uint8Array) stdin.end(input);
  else {
    // pipe() plus our own error handling rather than pipeline(): pipeline would destroy the input
    // with stdin's EPIPE, and the two failures must stay apart.
    input.once('error', (error: Error) => {
      inputError ??= error;
      // Stop the group before closing stdin: the EOF would otherwise let the child exit 0 first.
      onInputError();
      stdin.destroy();
    });
    stdin.once('close', () => {
      input.unpipe(stdin);
      if (!input.readableEnded) input.destroy();
    });
    input.pipe(stdin);
  }
  return () => inputError;
}

function emptyOutput(encoding: ValidatedExec['encoding']): string | Buffer {
  return encoding === 'buffer' ? Buffer.alloc(0) : '';
}

/** Start the plan; a failure to start becomes a ProcessError with the original error as cause. */
export function start(plan: ValidatedExec, file: string, args: string[]): Subprocess {
  try {
    return spawnValidated(plan.spawn);
  } catch (error) {
    const aborted = error instanceof Error && error.name === 'AbortError';
    if (!SpawnError.is(error) && !aborted) throw error;
    const empty = shapeOutput(emptyOutput(plan.encoding), plan);
    throw new ProcessError({
      file, args, stdout: empty, stderr: empty, code: null, signal: null, timedOut: false, truncated: false,
      pipeHolders: [], rusage: null, durationMs: 0, killedByGroup: false, aborted, inputFailed: false,
      cause: error,
    });
  }
}

/** The output as the plan asks for it: decoded or a Buffer, final newline stripped, or lines. */
function shapeOutput(raw: string | Buffer, plan: ValidatedExec): ExecOutput {
  if (plan.lines) return splitLines(raw as string);
  return plan.stripFinalNewline ? stripFinalNewline(raw) : raw;
}

/** A finished child: its result, and whether exec() counts it as a failure (and why). */
export interface Outcome {
  result: ExecResult;
  failed: boolean;
  reasons: ProcessErrorReasons;
  /** maxBuffer was exceeded (result.truncated says the output was cut). */
  maxBufferExceeded: boolean;
  /** The input stream's own error, if it failed. */
  inputError: Error | undefined;
  file: string;
  args: readonly string[];
}

/** Collect the child's output until it exited, its stops settled and its pipes drained. */
export async function complete(child: Subprocess, plan: ValidatedExec): Promise<Outcome> {
  const hooks = child[internals];
  const outputs: Array<{ pipe: (typeof hooks.streams)[number]; collector: Collector }> = [];
  const interleaved: Buffer[] | undefined = plan.all ? [] : undefined;
  for (const pipe of hooks.streams) {
    if (pipe.childFd === 0) continue;
    // maxBuffer reached: cut the output and stop the whole group with the kill policy.
    const sink = pipe.childFd <= 2 ? interleaved : undefined;
    outputs.push({ pipe, collector: collect(pipe.stream, plan.maxBuffer, () => hooks.stopWithPolicy(), sink) });
  }
  const inputError = writeInput(child.stdin, plan.input, () => hooks.stopWithPolicy());
  const exit = await child.exited;
  // A stop (timeout, abort, maxBuffer) is finished when the group is empty: wait for it.
  await hooks.stopsSettled();
  const drain = await drainAfterExit(outputs, plan.drainTimeout);
  await hooks.stopsSettled();
  child.stdin?.destroy();
  const output = (fd: number): ExecOutput => {
    const found = outputs.find((o) => o.pipe.childFd === fd);
    return shapeOutput(found === undefined ? emptyOutput(plan.encoding) : collectedOutput(found.collector, plan.encoding), plan);
  };
  const overflowed = outputs.some((o) => o.collector.overflowed);
  const result: ExecResult = {
    stdout: output(1),
    stderr: output(2),
    code: exit.code,
    signal: exit.signal,
    timedOut: child.timedOut,
    truncated: drain.cut || overflowed,
    pipeHolders: drain.holders,
    rusage: exit.rusage,
    durationMs: exit.durationMs,
  };
  if (interleaved !== undefined) result.all = shapeOutput(interleaved.length === 0 ? emptyOutput(plan.encoding) : joinChunks(interleaved, plan.encoding), plan);
  const failedInput = inputError();
  return {
    result,
    failed: !isSuccess(exit) || child.timedOut || child.aborted || overflowed || failedInput !== undefined,
    reasons: {
      timedOut: child.timedOut,
      killedByGroup: child.killedByGroup,
      aborted: child.aborted,
      inputFailed: failedInput !== undefined,
    },
    maxBufferExceeded: overflowed,
    inputError: failedInput,
    file: child.file,
    args: child.args,
  };
}

/**
 * Run `file` with `args` to completion. Resolves with {stdout, stderr, code, signal, timedOut,
 * truncated, pipeHolders, rusage, durationMs} (and `all` with all: true); rejects with
 * ProcessError on a non-zero exit, a signal, a timeout, an abort, maxBuffer, or a failure to start
 * (unless reject: false, which resolves in all but the last case). Bad options reject with
 * TypeError/RangeError before anything is created. The output type follows the options: string
 * by default, Buffer with encoding 'buffer', string[] with lines: true.
 */
export function exec<const Options extends ExecOptions = {}>(file: string, args?: readonly string[], options?: Options): Promise<ExecResult<ExecOutputOf<Options>>>;
export function exec<const Options extends ExecOptions = {}>(file: string, options?: Options): Promise<ExecResult<ExecOutputOf<Options>>>;
export async function exec(file: string, args?: unknown, options?: unknown): Promise<ExecResult> {
  assertSupportedPlatform();
  const [argList, opts] = splitArguments(args, options);
  const plan = validateExecOptions(file, argList, opts);
  const child = start(plan, plan.spawn.file, plan.spawn.args);
  const outcome = await complete(child, plan);
  // A failed input always rejects, even with reject: false: the result would be that of a
  // truncated input, and nothing in it would say so.
  if ((outcome.failed && plan.reject) || outcome.inputError !== undefined) {
    throw new ProcessError({ ...outcome.result, ...outcome.reasons, maxBufferExceeded: outcome.maxBufferExceeded, file: outcome.file, args: outcome.args, cause: outcome.inputError });
  }
  return outcome.result;
}
