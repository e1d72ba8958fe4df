// Who the child runs as and within which limits, as options: uid, gid and supplementary groups,
// umask, rlimits (and the room nofile must leave for the stdio), cgroup.
import { isAbsolute } from 'node:path';
import { readEffectiveCapabilities } from '../proc/status.js';
import type { RlimitName } from '../options.js';
import { checkCString, rangeError, typeError } from '../validate.js';
import type { StdioPlanEntry } from './stdio.js';

/** A kernel id (uid, gid): 0 ..= 2^32-2 (2^32-1 is the "no change" value of set*id). */
function checkId(value: unknown, option: string): number {
  const expected = 'an integer from 0 to 4294967294';
  if (typeof value !== 'number') throw typeError(option, expected, value);
  if (!Number.isInteger(value) || value < 0 || value > 4294967294) throw rangeError(option, expected, value);
  return value;
}

/** capabilities(7): CAP_SETGID lets a process set its supplementary groups. */
const CAP_SETGID = 6n;

/** CAP_SETGID in this process's effective capability set. */
function hasCapSetgid(): boolean {
  try {
    return ((readEffectiveCapabilities('self') >> CAP_SETGID) & 1n) === 1n;
  } catch {
    return false;
  }
}

/**
 * The supplementary groups a uid/gid change implies: none ([]) when this process may clear them
 * (CAP_SETGID). Without that capability setgroups() would fail with EPERM, and such a caller has
 * no privileged groups to shed, so they are left as they are (libuv likewise ignores the failure).
 */
function implicitGroups(): number[] | null {
  return hasCapSetgid() ? [] : null;
}

/**
 * uid, gid, groups: -1 / null mean unchanged. A uid or gid change without `groups` clears the
 * supplementary groups (as Go does): keeping the caller's (root's) groups after dropping to
 * another user would silently keep their privileges.
 */
export function validateCredentials(options: Record<string, unknown>): { uid: number; gid: number; groups: number[] | null } {
  const uid = options.uid === undefined ? -1 : checkId(options.uid, 'uid');
  const gid = options.gid === undefined ? -1 : checkId(options.gid, 'gid');
  let groups: number[] | null = uid === -1 && gid === -1 ? null : implicitGroups();
  if (options.groups !== undefined) {
    if (!Array.isArray(options.groups)) throw typeError('groups', 'an array of group ids', options.groups);
    if (options.groups.length > 65536) throw rangeError('groups', 'at most 65536 group ids', options.groups.length);
    groups = options.groups.map((g: unknown, i) => checkId(g, `groups[${i}]`));
  }
  return { uid, gid, groups };
}

export function validateUmask(value: unknown): number {
  if (value === undefined) return -1;
  const expected = 'an integer from 0 to 0o777';
  if (typeof value !== 'number') throw typeError('umask', expected, value);
  if (!Number.isInteger(value) || value < 0 || value > 0o777) throw rangeError('umask', expected, value);
  return value;
}

/** Resource numbers of <sys/resource.h>, named as prlimit(1) names them. */
const RLIMITS: Readonly<Record<RlimitName, number>> = Object.freeze({
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7, memlock: 8, as: 9,
  locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15,
});

function checkLimit(value: unknown, option: string): number {
  const expected = `an integer >= 0, Infinity or 'unlimited'`;
  if (value === 'unlimited' || value === Infinity) return Infinity;
  if (typeof value !== 'number') throw typeError(option, expected, value);
  if (!Number.isSafeInteger(value) || value < 0) throw rangeError(option, expected, value);
  return value;
}

function parseRlimit(name: string, value: unknown): [number, number] {
  const option = `rlimits.${name}`;
  if (Array.isArray(value)) {
    if (value.length !== 2) throw typeError(option, 'a limit, [soft, hard] or {soft, hard}', value);
    return [checkLimit(value[0], `${option}[0] (soft)`), checkLimit(value[1], `${option}[1] (hard)`)];
  }
  if (typeof value === 'object' && value !== null) {
    const { soft, hard } = value as { soft?: unknown; hard?: unknown };
    return [checkLimit(soft, `${option}.soft`), checkLimit(hard, `${option}.hard`)];
  }
  const both = checkLimit(value, option);
  return [both, both];
}

/** rlimits: {nofile: 1024 | [soft, hard] | {soft, hard}, …} → [resource, soft, hard] triples. */
export function validateRlimits(value: unknown): Array<[number, number, number]> {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError('rlimits', 'an object such as {nofile: 1024}', value);
  const out: Array<[number, number, number]> = [];
  for (const [name, limit] of Object.entries(value)) {
    const resource = Object.hasOwn(RLIMITS, name) ? RLIMITS[name as RlimitName] : undefined;
    if (resource === undefined) {
      throw new TypeError(`rlimits.${name} is not a resource limit; valid names: ${Object.keys(RLIMITS).join(', ')}`);
    }
    const [soft, hard] = parseRlimit(name, limit);
    if (soft > hard) throw rangeError(`rlimits.${name}`, 'a soft limit no greater than the hard limit', limit);
    out.push([resource, soft, hard]);
  }
  return out;
}

export function validateCgroup(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const path = checkCString(value, 'cgroup', 'an absolute path string');
  if (!isAbsolute(path)) throw typeError('cgroup', 'an absolute path of a cgroup v2 directory', value);
  return path;
}

/**
 * rlimits apply before the child's fds are placed: a soft nofile limit at or below the highest
 * child fd would make the placement fail with a bare EBADF.
 */
export function checkNofileRoom(rlimits: ReadonlyArray<[number, number, number]>, stdio: readonly StdioPlanEntry[], value: unknown): void {
  const nofile = rlimits.find(([resource]) => resource === RLIMITS.nofile);
  if (nofile === undefined) return;
  let needed = 0;
  stdio.forEach((entry, fd) => {
    if (entry.kind !== 'ignore' || fd < 3) needed = fd + 1;
  });
  if (nofile[1] < needed) {
    throw rangeError(
      'rlimits.nofile',
      `a soft limit of at least ${needed}: the child needs fds 0-${needed - 1} for its stdio, and the limit applies before they are placed`,
      value,
    );
  }
}
