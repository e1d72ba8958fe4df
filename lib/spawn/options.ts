// spawn()'s options checked as one: every family by its own validator (command, stdio, signals,
// credentials and limits), before the first pipe or process exists, so bad input never leaves
// anything behind.
import type { ChildSetup } from '../native.js';
import { copyOptions, checkBoolean } from '../validate.js';
import type { StopPolicy } from './subprocess.js';
import { DEFAULT_PATH, preferLocalPath, validateArgv0, validateCommand, validateCwd, validateEnv } from './command.js';
import { validateStdio, type StdioPlanEntry } from './stdio.js';
import { validateAbortSignal, validateDeathSignal, validateGrouping, validateSignalSetup, validateTimeouts } from './signal-options.js';
import { checkNofileRoom, validateCgroup, validateCredentials, validateRlimits, validateUmask } from './credentials.js';

/**
 * spawn()'s options validated and normalized: what runs and how the child is set up (the native
 * request but for the pipes and the PATH candidates), and how its own limits stop it.
 */
export interface ValidatedSpawn {
  file: string;
  args: string[];
  argv0: string;
  cwd: string | null;
  /** 'NAME=value' entries. */
  envp: string[] | null;
  /** PATH used to search for file (the child's, when env was given). */
  searchPath: string;
  stdio: StdioPlanEntry[];
  setup: ChildSetup;
  stop: StopPolicy;
}

export const SPAWN_OPTION_NAMES: ReadonlySet<string> = new Set([
  'cwd', 'env', 'argv0', 'stdio', 'group', 'session', 'takeTerminal', 'resetSignals', 'ignoreSignals', 'blockSignals',
  'defaultSignals', 'closeFds', 'uid', 'gid', 'groups', 'umask', 'rlimits', 'deathSignal', 'cgroup',
  'noNewPrivs', 'preferLocal', 'timeout', 'killSignal', 'killAfter', 'signal',
]);

export function validateSpawnFields(file: unknown, args: unknown, o: Record<string, unknown>): ValidatedSpawn {
  const command = validateCommand(file, args);
  const cwd = validateCwd(o.cwd);
  let env = validateEnv(o.env);
  if (checkBoolean(o.preferLocal, 'preferLocal', false)) env = preferLocalPath(env, cwd);
  const stdio = validateStdio(o.stdio);
  const rlimits = validateRlimits(o.rlimits);
  checkNofileRoom(rlimits, stdio, (o.rlimits as { nofile?: unknown } | null | undefined)?.nofile);
  // Each family is validated in this order (the first bad option is the one reported), into
  // locals: the objects below are built field by field, since spreading the families' results
  // into a literal costs ~10 µs per spawn in V8 (CopyDataProperties), a quarter of spawn()'s own
  // JavaScript time.
  const argv0 = validateArgv0(o.argv0, command.file);
  const grouping = validateGrouping(o.group, o.session, o.takeTerminal);
  const signals = validateSignalSetup(o);
  const closeFds = checkBoolean(o.closeFds, 'closeFds', true);
  const credentials = validateCredentials(o);
  const umask = validateUmask(o.umask);
  const deathSignal = validateDeathSignal(o.deathSignal);
  const cgroup = validateCgroup(o.cgroup);
  const noNewPrivs = checkBoolean(o.noNewPrivs, 'noNewPrivs', false);
  const timeouts = validateTimeouts(o);
  return {
    file: command.file,
    args: command.args,
    argv0,
    cwd,
    envp: env.envp,
    searchPath: env.path ?? DEFAULT_PATH,
    stdio,
    setup: {
      pgid: grouping.pgid,
      setsid: grouping.setsid,
      takeTerminal: grouping.takeTerminal,
      resetSignals: signals.resetSignals,
      defaultSignals: signals.defaultSignals,
      ignoreSignals: signals.ignoreSignals,
      mask: signals.mask,
      closeFds,
      uid: credentials.uid,
      gid: credentials.gid,
      groups: credentials.groups,
      umask,
      rlimits,
      deathSignal,
      cgroup,
      noNewPrivs,
    },
    stop: {
      timeout: timeouts.timeout,
      killSignal: timeouts.killSignal,
      killAfter: timeouts.killAfter,
      abortSignal: validateAbortSignal(o.signal),
    },
  };
}

export function validateSpawnOptions(file: unknown, args: unknown, options: unknown): ValidatedSpawn {
  return validateSpawnFields(file, args, copyOptions(options, SPAWN_OPTION_NAMES, 'spawn()'));
}
