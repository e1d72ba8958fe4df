// Validation of Supervisor options and child specs. Everything is checked in the constructor,
// before any process, pipe or cgroup exists; each TypeError/RangeError names the option (with the
// child's index and name), echoes the value and says what is valid.
import type { SpawnOptions, SignalLike } from '../options.js';
import { echo, checkMilliseconds, checkTimerMilliseconds } from '../validate.js';
import { validateSpawnOptions } from '../spawn/options.js';
import { DEFAULT_STOP_SIGNAL, STOP_REQUESTS, UNCATCHABLE, parseSignal, parseSignalList } from '../signals.js';
import { DEFAULT_BACKOFF, type Backoff } from './backoff.js';
import { DEFAULT_INTENSITY, type Intensity } from './intensity.js';

export type RestartPolicy = 'never' | 'on-failure' | 'always';
export type ContainMode = 'group' | 'reaper' | 'cgroup';

export interface ChildSpec {
  /** Unique name: letters, digits and . _ - @ : (it also names the child's cgroup). */
  name: string;
  /** The program, looked up in PATH as spawn() does. */
  file: string;
  /**
   * Its arguments.
   * @default []
   */
  args?: readonly string[];
  /**
   * spawn() options. group must stay 'new' (the default).
   * @default {stdio: ['ignore', 'inherit', 'inherit']}
   */
  options?: SpawnOptions;
  /**
   * 'on-failure': restart after a non-zero exit or a death by signal; 'always'; 'never'.
   * @default 'on-failure'
   */
  restart?: RestartPolicy;
  /**
   * Delay before restart n: min(maxMs, initialMs × factor^(n-1)), shortened by up to `jitter` of itself.
   * @default {initialMs: 100, maxMs: 30000, factor: 2, jitter: 0.1}
   */
  backoff?: Partial<Backoff>;
  /**
   * First signal of a stop.
   * @default 'SIGTERM'
   */
  stopSignal?: SignalLike;
  /**
   * Milliseconds from stopSignal to SIGKILL.
   * @default 10000
   */
  stopTimeout?: number;
  /**
   * Names of children that must start before this one (and stop after it).
   * @default []
   */
  dependsOn?: readonly string[];
  /**
   * How descendants are held together: 'group', 'reaper' or 'cgroup'.
   * @default 'group'
   */
  contain?: ContainMode;
}

export interface SupervisorOptions {
  /** The children, started in dependsOn order. */
  children: readonly ChildSpec[];
  /**
   * At most maxRestarts restarts (all children together) within periodMs, else give up.
   * @default {maxRestarts: 10, periodMs: 10000}
   */
  intensity?: Partial<Intensity>;
  /**
   * Signals of this process handled by the supervisor. true means ['SIGTERM', 'SIGINT', 'SIGHUP'].
   * SIGTERM and SIGINT stop every child (the received signal is each child's first stop signal);
   * any other listed signal is forwarded to every running child.
   * @default false
   */
  forwardSignals?: boolean | readonly SignalLike[];
  /**
   * Stop every child at once instead of one at a time in reverse start order.
   * @default false
   */
  parallelStop?: boolean;
  /**
   * A cgroup v2 directory under which contain: 'cgroup' children get their cgroups.
   * @default discovered (this process's cgroup, or a delegated one)
   */
  cgroupParent?: string;
  /**
   * Path of the reaper executable, procctl-init.
   * @default the one built with the addon (build/Release, else prebuilds/)
   */
  reaperPath?: string;
}

export interface NormalizedChild {
  name: string;
  file: string;
  args: string[];
  options: SpawnOptions;
  restart: RestartPolicy;
  backoff: Backoff;
  stopSignal: number;
  stopTimeout: number;
  dependsOn: string[];
  contain: ContainMode;
}

export interface NormalizedOptions {
  children: NormalizedChild[];
  intensity: Intensity;
  forwardSignals: number[];
  parallelStop: boolean;
  cgroupParent: string | null;
  reaperPath: string | null;
}

const RESTART_POLICIES: readonly RestartPolicy[] = ['never', 'on-failure', 'always'];
const CONTAIN_MODES: readonly ContainMode[] = ['group', 'reaper', 'cgroup'];
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;
const SPEC_KEYS: ReadonlySet<string> = new Set([
  'name', 'file', 'args', 'options', 'restart', 'backoff', 'stopSignal', 'stopTimeout', 'dependsOn', 'contain',
]);
const SUPERVISOR_KEYS: ReadonlySet<string> = new Set([
  'children', 'intensity', 'forwardSignals', 'parallelStop', 'cgroupParent', 'reaperPath',
]);
const DEFAULT_STDIO = ['ignore', 'inherit', 'inherit'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function copyKnown(value: unknown, known: ReadonlySet<string>, option: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new TypeError(`${option} must be an object; got ${echo(value)}`);
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new TypeError(`${option}.${key} is not a valid option; valid: ${[...known].join(', ')}`);
    copy[key] = value[key];
  }
  return copy;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, option: string): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new TypeError(`${option} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${echo(value)}`);
  if (!allowed.includes(value as T)) throw new RangeError(`${option} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${echo(value)}`);
  return value as T;
}

function positiveNumber(value: unknown, option: string, fallback: number, min: number, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${option} must be a number from ${min} to ${max}; got ${echo(value)}`);
  if (value < min || value > max) throw new RangeError(`${option} must be a number from ${min} to ${max}; got ${echo(value)}`);
  return value;
}

function validateBackoff(value: unknown, option: string): Backoff {
  if (value === undefined) return { ...DEFAULT_BACKOFF };
  const o = copyKnown(value, new Set(['initialMs', 'maxMs', 'factor', 'jitter']), option);
  const backoff = {
    initialMs: checkTimerMilliseconds(o.initialMs, `${option}.initialMs`, DEFAULT_BACKOFF.initialMs),
    maxMs: checkTimerMilliseconds(o.maxMs, `${option}.maxMs`, DEFAULT_BACKOFF.maxMs),
    factor: positiveNumber(o.factor, `${option}.factor`, DEFAULT_BACKOFF.factor, 1, 1000),
    jitter: positiveNumber(o.jitter, `${option}.jitter`, DEFAULT_BACKOFF.jitter, 0, 1),
  };
  if (backoff.maxMs < backoff.initialMs) {
    throw new RangeError(`${option}.maxMs must be >= initialMs (${backoff.initialMs}); got ${echo(backoff.maxMs)}`);
  }
  return backoff;
}

function validateIntensity(value: unknown): Intensity {
  if (value === undefined) return { ...DEFAULT_INTENSITY };
  const o = copyKnown(value, new Set(['maxRestarts', 'periodMs']), 'intensity');
  const maxRestarts = positiveNumber(o.maxRestarts, 'intensity.maxRestarts', DEFAULT_INTENSITY.maxRestarts, 0);
  if (!Number.isInteger(maxRestarts) && maxRestarts !== Infinity) {
    throw new RangeError(`intensity.maxRestarts must be an integer >= 0 or Infinity; got ${echo(maxRestarts)}`);
  }
  return { maxRestarts, periodMs: checkMilliseconds(o.periodMs, 'intensity.periodMs', DEFAULT_INTENSITY.periodMs) };
}

function validateDependsOn(value: unknown, option: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new TypeError(`${option} must be an array of child names; got ${echo(value)}`);
  }
  return [...new Set(value as string[])];
}

/** The child's spawn options, checked by the spawn validator itself, with the supervisor's rules. */
function validateChildSpawnOptions(spec: Record<string, unknown>, option: string, contain: ContainMode): SpawnOptions {
  const given = spec.options === undefined ? {} : spec.options;
  if (!isPlainObject(given)) throw new TypeError(`${option}.options must be an object; got ${echo(given)}`);
  if (given.group !== undefined && given.group !== 'new') {
    throw new RangeError(`${option}.options.group must be 'new' (the supervisor stops children by group); got ${echo(given.group)}`);
  }
  if (contain === 'reaper' && given.argv0 !== undefined) {
    throw new TypeError(`${option}.options.argv0 cannot be set with contain: 'reaper' (the reaper runs the command with execvp); got ${echo(given.argv0)}`);
  }
  if (contain === 'cgroup' && given.cgroup !== undefined) {
    throw new TypeError(`${option}.options.cgroup cannot be set with contain: 'cgroup' (the supervisor creates the cgroup); got ${echo(given.cgroup)}`);
  }
  const options: SpawnOptions = { stdio: [...DEFAULT_STDIO], ...given };
  try {
    validateSpawnOptions(spec.file, spec.args ?? [], options);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      const Kind = error instanceof RangeError ? RangeError : TypeError;
      throw new Kind(`${option}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return options;
}

function validateChild(value: unknown, index: number): NormalizedChild {
  const at = `children[${index}]`;
  const spec = copyKnown(value, SPEC_KEYS, at);
  if (typeof spec.name !== 'string' || !NAME_PATTERN.test(spec.name)) {
    const Kind = typeof spec.name === 'string' ? RangeError : TypeError;
    throw new Kind(`${at}.name must be 1-128 characters of letters, digits and . _ - @ : (starting with a letter or digit); got ${echo(spec.name)}`);
  }
  const option = `${at} (${spec.name})`;
  const contain = oneOf(spec.contain, CONTAIN_MODES, 'group', `${option}.contain`);
  const options = validateChildSpawnOptions(spec, option, contain);
  return {
    name: spec.name,
    file: spec.file as string,
    args: [...((spec.args as string[] | undefined) ?? [])],
    options,
    restart: oneOf(spec.restart, RESTART_POLICIES, 'on-failure', `${option}.restart`),
    backoff: validateBackoff(spec.backoff, `${option}.backoff`),
    stopSignal: spec.stopSignal === undefined ? DEFAULT_STOP_SIGNAL : parseSignal(spec.stopSignal, `${option}.stopSignal`),
    stopTimeout: checkTimerMilliseconds(spec.stopTimeout, `${option}.stopTimeout`, 10_000),
    dependsOn: validateDependsOn(spec.dependsOn, `${option}.dependsOn`),
    contain,
  };
}

function checkDependencies(children: readonly NormalizedChild[]): void {
  const names = new Set<string>();
  for (const child of children) {
    if (names.has(child.name)) throw new RangeError(`children: duplicate name ${echo(child.name)}`);
    names.add(child.name);
  }
  for (const child of children) {
    for (const dep of child.dependsOn) {
      if (!names.has(dep)) throw new RangeError(`children (${child.name}).dependsOn names an unknown child ${echo(dep)}`);
      if (dep === child.name) throw new RangeError(`children (${child.name}).dependsOn names the child itself`);
    }
  }
}

function validateForwardSignals(value: unknown): number[] {
  if (value === undefined || value === false) return [];
  if (value === true) return [...STOP_REQUESTS].sort((a, b) => a - b);
  if (!Array.isArray(value)) throw new TypeError(`forwardSignals must be true, false or an array of signals; got ${echo(value)}`);
  const signals = parseSignalList(value, 'forwardSignals');
  for (const sig of signals) {
    if (UNCATCHABLE.has(sig)) throw new RangeError(`forwardSignals cannot contain SIGKILL or SIGSTOP (they cannot be caught); got ${echo(value)}`);
  }
  return signals;
}

function optionalPath(value: unknown, option: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '' || value.includes('\0') || !value.startsWith('/')) {
    throw new TypeError(`${option} must be an absolute path; got ${echo(value)}`);
  }
  return value;
}

export function validateSupervisorOptions(value: unknown): NormalizedOptions {
  const o = copyKnown(value, SUPERVISOR_KEYS, 'options');
  if (!Array.isArray(o.children)) throw new TypeError(`children must be an array of child specs; got ${echo(o.children)}`);
  const children = o.children.map((spec, i) => validateChild(spec, i));
  checkDependencies(children);
  if (o.parallelStop !== undefined && typeof o.parallelStop !== 'boolean') {
    throw new TypeError(`parallelStop must be true or false; got ${echo(o.parallelStop)}`);
  }
  return {
    children,
    intensity: validateIntensity(o.intensity),
    forwardSignals: validateForwardSignals(o.forwardSignals),
    parallelStop: o.parallelStop === true,
    cgroupParent: optionalPath(o.cgroupParent, 'cgroupParent'),
    reaperPath: optionalPath(o.reaperPath, 'reaperPath'),
  };
}
