// procctl exec [options] [--] COMMAND [ARG...]. Without --timeout procctl replaces itself with the
// command (same PID, like env(1)) through the native execve-in-place. With --timeout (or when a new
// session needs a fork) it stays as the parent: exec-parent.ts, loaded only then, so the common
// path loads neither the spawn API nor its event-loop machinery.
import { type NativeSpawnRequest, native } from '../native.js';
import { nativeRequest } from '../spawn/request.js';
import { UsageError } from './args.js';
import { execFailureStatus, lookUpCommand } from './command-lookup.js';
import { type ExecInvocation, fdPlan, parseExec } from './exec-invocation.js';
import { printError, printOut } from './output.js';
import { OWN_FAILURE_STATUS } from './status.js';

/** null: the native side passes procctl's own environ, which Node keeps in step with process.env. */
function envp(env: Record<string, string> | null): string[] | null {
  return env === null ? null : Object.entries(env).map(([name, value]) => `${name}=${value}`);
}

/** setpgid(0, 0) fails for a session leader and is a no-op for a group leader: skip it then. */
function groupRequest(plan: ExecInvocation, leadsGroup: boolean): number {
  return plan.grouping === 'group' && !leadsGroup ? 0 : -1;
}

function inPlaceRequest(plan: ExecInvocation, candidates: string[], leadsGroup: boolean): NativeSpawnRequest {
  return nativeRequest(
    { file: plan.file, candidates, argv: [plan.file, ...plan.args], envp: envp(plan.env), cwd: plan.cwd, fds: fdPlan(plan.keepFds) },
    {
      resetSignals: plan.resetSignals,
      defaultSignals: plan.defaultSignals,
      ignoreSignals: plan.ignoreSignals,
      mask: plan.mask,
      pgid: groupRequest(plan, leadsGroup),
      setsid: plan.grouping === 'session',
    },
  );
}

/**
 * Node writes its compile cache (turned on by main.cts where Node has one) when it exits, which a
 * process that execs never does: write it before the execve (Node ≥ 22.10; nothing is written
 * when nothing new was compiled). Before Node 22 there is no cache, and loading node:module only
 * to learn that costs most of a millisecond.
 */
function flushCompileCache(): void {
  if (Number.parseInt(process.versions.node, 10) < 22) return;
  const getBuiltin = process.getBuiltinModule as typeof process.getBuiltinModule | undefined;
  (getBuiltin?.('node:module') as { flushCompileCache?: () => void } | undefined)?.flushCompileCache?.();
}

/** Replace this process with the command. Returns only when the exec failed. */
function execInPlace(plan: ExecInvocation, candidates: string[], leadsGroup: boolean): number {
  flushCompileCache();
  const failure = native().execve(inPlaceRequest(plan, candidates, leadsGroup));
  printError(failure.message);
  return execFailureStatus(failure.stage, failure.code);
}

async function runAsParent(plan: ExecInvocation): Promise<number> {
  const { superviseCommand } = await import('./exec-parent.js');
  return superviseCommand(plan);
}

export async function main(argv: string[]): Promise<number> {
  let plan: ExecInvocation;
  try {
    const parsed = parseExec(argv);
    if (parsed.help) {
      // Loaded only here: the help texts are an eighth of what exec would otherwise compile.
      const { helpText } = await import('./help.js');
      printOut(helpText('exec') ?? '');
      return 0;
    }
    plan = parsed.plan;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(error.message);
    return OWN_FAILURE_STATUS;
  }
  const lookup = lookUpCommand(plan.file, (plan.env ?? process.env).PATH, plan.cwd);
  if (!lookup.found) {
    printError(lookup.message);
    return lookup.status;
  }
  // getpgid(2), not /proc/self/stat: emulators and some sandboxes fake the stat fields.
  const leadsGroup = native().getpgid(0) === process.pid;
  // setsid() fails in a group leader: then fork once, as setsid(1) does.
  if (plan.timeout > 0 || (plan.grouping === 'session' && leadsGroup)) return runAsParent(plan);
  return execInPlace(plan, lookup.candidates, leadsGroup);
}
