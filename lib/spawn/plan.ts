// spawn()'s options checked as one: every family by its own validator (command, stdio, signals,
// credentials and limits), before the first pipe or process exists, so bad input never leaves
// anything behind.
import { copyOptions, checkBoolean } from '../validate.js';
import { DEFAULT_PATH, preferLocalPath, validateArgv0, validateCommand, validateCwd, validateEnv } from './command.js';
import { validateStdio, type StdioPlanEntry } from './stdio.js';
import { validateAbortSignal, validateDeathSignal, validateGrouping, validateSignalSetup, validateTimeouts } from './signal-options.js';
import { checkNofileRoom, validateCgroup, validateCredentials, validateRlimits, validateUmask } from './credentials.js';

/** Validated, normalized spawn request: everything native.spawn needs except pipes and PATH. */
export interface SpawnPlan {
  file: string;
  args: string[];
  argv0: string;
  cwd: string | null;
  /** 'NAME=value' entries. */
  envp: string[] | null;
  /** PATH used to search for file (the child's, when env was given). */
  searchPath: string;
  stdio: StdioPlanEntry[];
  /** -1 caller's group, 0 new group, >0 join. */
  pgid: number;
  setsid: boolean;
  takeTerminal: boolean;
  resetSignals: boolean;
  defaultSignals: number[];
  ignoreSignals: number[];
  mask: number[] | null;
  closeFds: boolean;
  uid: number;
  gid: number;
  groups: number[] | null;
  umask: number;
  rlimits: Array<[number, number, number]>;
  deathSignal: number;
  cgroup: string | null;
  noNewPrivs: boolean;
  timeout: number;
  killSignal: number;
  killAfter: number;
  abortSignal: AbortSignal | null;
}

export const SPAWN_OPTION_NAMES: ReadonlySet<string> = new Set([
  'cwd', 'env', 'argv0', 'stdio', 'group', 'session', 'takeTerminal', 'resetSignals', 'ignoreSignals', 'blockSignals',
  'defaultSignals', 'closeFds', 'uid', 'gid', 'groups', 'umask', 'rlimits', 'deathSignal', 'cgroup',
  'noNewPrivs', 'preferLocal', 'timeout', 'killSignal', 'killAfter', 'signal',
]);

export function buildSpawnPlan(file: unknown, args: unknown, o: Record<string, unknown>): SpawnPlan {
  const command = validateCommand(file, args);
  const cwd = validateCwd(o.cwd);
  let env = validateEnv(o.env);
  if (checkBoolean(o.preferLocal, 'preferLocal', false)) env = preferLocalPath(env, cwd);
  const stdio = validateStdio(o.stdio);
  const rlimits = validateRlimits(o.rlimits);
  checkNofileRoom(rlimits, stdio, (o.rlimits as { nofile?: unknown } | null | undefined)?.nofile);
  return {
    file: command.file,
    args: command.args,
    argv0: validateArgv0(o.argv0, command.file),
    cwd,
    envp: env.envp,
    searchPath: env.path ?? DEFAULT_PATH,
    stdio,
    ...validateGrouping(o.group, o.session, o.takeTerminal),
    ...validateSignalSetup(o),
    closeFds: checkBoolean(o.closeFds, 'closeFds', true),
    ...validateCredentials(o),
    umask: validateUmask(o.umask),
    rlimits,
    deathSignal: validateDeathSignal(o.deathSignal),
    cgroup: validateCgroup(o.cgroup),
    noNewPrivs: checkBoolean(o.noNewPrivs, 'noNewPrivs', false),
    ...validateTimeouts(o),
    abortSignal: validateAbortSignal(o.signal),
  };
}

export function validateSpawnOptions(file: unknown, args: unknown, options: unknown): SpawnPlan {
  return buildSpawnPlan(file, args, copyOptions(options, SPAWN_OPTION_NAMES, 'spawn()'));
}
