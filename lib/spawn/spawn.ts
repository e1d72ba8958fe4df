// spawn(): validate everything, create the pipes, hand one prepared request to the native spawn,
// and wrap the result in a Subprocess. Nothing is created before validation has passed, and
// everything created is released again when the spawn fails.
import { native, type NativeExit, type NativeSpawnRequest, type NativeSpawnResult } from '../native.js';
import type { SpawnOptions, StdioOf } from '../options.js';
import { splitArguments } from '../validate.js';
import { validateSpawnOptions, type ValidatedSpawn } from './options.js';
import { pathCandidates } from './command.js';
import { nativeRequest } from './request.js';
import { abandonStdio, closeChildEnds, openParentStreams, prepareStdio, type PreparedStdio } from './stdio.js';
import { startClock } from '../exit.js';
import { SpawnError, abortError } from '../errors.js';
import { Subprocess, internals } from './subprocess.js';
import { assertSupportedPlatform } from '../platform.js';

/** The native request for a validated spawn whose child fd i comes from parent fd fds[i]. */
function toNativeRequest(plan: ValidatedSpawn, fds: number[]): NativeSpawnRequest {
  const { file, argv0, args, envp, cwd, searchPath } = plan;
  return nativeRequest({ file, candidates: pathCandidates(file, searchPath), argv: [argv0, ...args], envp, cwd, fds }, plan.setup);
}

/** A native error from a setup step carries at least a string code; anything else is a bug to rethrow. */
function isNativeSpawnFailure(error: unknown): error is Error {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && !(error instanceof TypeError);
}

/** The pgid the child will have, and whether it is this process's own group. */
function resolveGroup(plan: ValidatedSpawn, pid: number): { pgid: number; sharesCallerGroup: boolean } {
  if (plan.setup.pgid === 0) return { pgid: pid, sharesCallerGroup: false };
  const own = native().getpgid(0);
  if (plan.setup.pgid === -1) return { pgid: own, sharesCallerGroup: true };
  return { pgid: plan.setup.pgid, sharesCallerGroup: plan.setup.pgid === own };
}

/** A native failure becomes a SpawnError; stage names the step when the native error does not. */
function toSpawnError(error: unknown, plan: ValidatedSpawn, stage: string): unknown {
  return isNativeSpawnFailure(error) ? new SpawnError(error, plan.file, plan.args, stage) : error;
}

function createStdio(plan: ValidatedSpawn): PreparedStdio {
  try {
    return prepareStdio(plan.stdio);
  } catch (error) {
    throw toSpawnError(error, plan, 'pipe');
  }
}

function startChild(plan: ValidatedSpawn, stdio: PreparedStdio, onExit: (exit: NativeExit) => void): NativeSpawnResult {
  // Only a group leader is held as a zombie after exit: its pid is the pgid a sweep signals.
  const hold = plan.setup.pgid === 0;
  try {
    return native().spawn(toNativeRequest(plan, stdio.fds), onExit, hold);
  } catch (error) {
    abandonStdio(stdio);
    // A failure the native layer reports without a stage happened in the parent, at the clone.
    throw toSpawnError(error, plan, 'clone');
  }
}

/** Start a validated plan. Used by spawn() and exec(). */
export function spawnValidated(plan: ValidatedSpawn): Subprocess {
  if (plan.stop.abortSignal?.aborted) throw abortError(plan.stop.abortSignal.reason);
  // Load the addon before anything exists: a load failure is thrown as itself, never as a failed
  // pipe or clone step.
  native();
  const startedAt = startClock();
  const stdio = createStdio(plan);
  // The exit callback comes from the event loop, after this function has returned; an exit that
  // arrived before the Subprocess exists is kept and delivered right after its construction.
  let child: Subprocess | undefined;
  let earlyExit: NativeExit | undefined;
  const onExit = (exit: NativeExit): void => {
    if (child === undefined) earlyExit = exit;
    else child[internals].handleExit(exit);
  };
  const spawned = startChild(plan, stdio, onExit);
  closeChildEnds(stdio);
  const group = resolveGroup(plan, spawned.pid);
  child = new Subprocess({
    id: spawned.id,
    pid: spawned.pid,
    pgid: group.pgid,
    sharesCallerGroup: group.sharesCallerGroup,
    file: plan.file,
    args: plan.args,
    startedAt,
    streams: openParentStreams(stdio),
    stdioCount: plan.stdio.length,
    stop: plan.stop,
  });
  if (earlyExit !== undefined) child[internals].handleExit(earlyExit);
  return child;
}

/**
 * Start `file` with `args`. Returns at once with the running child; its exit is `child.exited`.
 * The stdio option types the child's streams (`stdio: ['ignore', 'pipe', 'inherit']` gives
 * `stdout: Readable`, `stdin: null`, `stderr: null`).
 * Throws TypeError/RangeError on bad input (before anything is created) and SpawnError when a
 * setup step or the exec itself fails.
 */
export function spawn<const Options extends SpawnOptions = {}>(file: string, args?: readonly string[], options?: Options): Subprocess<StdioOf<Options>>;
export function spawn<const Options extends SpawnOptions = {}>(file: string, options?: Options): Subprocess<StdioOf<Options>>;
export function spawn(file: string, args?: unknown, options?: unknown): Subprocess {
  assertSupportedPlatform();
  const [argList, opts] = splitArguments(args, options);
  return spawnValidated(validateSpawnOptions(file, argList, opts));
}
