// inspect(pid): one process as the kernel sees it — ids, state, signal dispositions by name, and
// every open fd with the other processes sharing it. This object is `procctl inspect --json`.
import { signalName } from '../signals.js';
import { assertSupportedPlatform } from '../platform.js';
import { readCmdline } from './cmdline.js';
import { type AccessMode, type FdEntry, type FdType, isShareable, readAccessMode, readFds, targetInode } from './fds.js';
import { findHolders } from './holders.js';
import { isGone, isKernelThread, readStat, tryReadStat } from './stat.js';
import { readSignalSets } from './status.js';
import { type StopInfo, explainStop } from './stop.js';
import { ttyName } from './tty.js';
import { readUnixSocketPeers, readUnixSocketTable } from './unix-sockets.js';

export interface InspectedFd {
  fd: number;
  target: string;
  type: FdType;
  /** Other pids holding the same pipe/FIFO/socket, or the peer end of a unix socket. */
  sharedWith: number[];
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Controlling terminal as ps names it ('pts/0'), or null. */
  tty: string | null;
  /** The terminal's foreground process group (tpgid), or null without a controlling terminal. */
  foregroundGroup: number | null;
  /** One letter as in /proc/PID/stat: R S D Z T t I X. */
  state: string;
  /** Why the process is stopped (state T or t), or null. */
  stop: StopInfo | null;
  cmdline: string[];
  signals: { ignored: string[]; blocked: string[]; caught: string[]; pending: string[] };
  fds: InspectedFd[];
}

export interface InspectOptions {
  /** Pids never listed in sharedWith (the CLI leaves itself out: it inherits its caller's stdio). */
  exclude?: Iterable<number>;
}

/** One other holder of an fd's object, for the human report. */
export interface FdHolder {
  pid: number;
  fd: number;
  comm: string;
  mode: AccessMode | undefined;
  /** Holds the other end of a unix socket rather than the same socket. */
  peer: boolean;
}

export interface FdDetail {
  mode: AccessMode | undefined;
  holders: FdHolder[];
  /** For unix sockets: the bound path ('' when unnamed); undefined for other fds. */
  unixPath: string | undefined;
}

/** inspect()'s object plus what the human report shows beyond it. */
export interface Inspection {
  info: ProcessInfo;
  comm: string;
  kernelThread: boolean;
  details: Map<number, FdDetail>;
  /** False when a unix socket's peer could not be looked up (addon without sock_diag). */
  peersKnown: boolean;
}

function validatePid(pid: unknown): number {
  if (typeof pid !== 'number') throw new TypeError(`pid must be a number; got ${typeof pid}`);
  if (!Number.isSafeInteger(pid) || pid < 1) throw new RangeError(`pid must be a positive integer; got ${String(pid)}`);
  return pid;
}

/** Fds that other processes never hold are read as an empty table (zombie, kernel thread, EACCES). */
function readFdsOrEmpty(pid: number): FdEntry[] {
  try {
    return readFds(pid);
  } catch (error) {
    if (isGone(error)) readStat(pid); // rethrows ESRCH if the process itself vanished
    return [];
  }
}

interface SocketPeers {
  table: Map<number, string>;
  peers: Map<number, number> | undefined;
}

function lookUpUnixPeers(fds: readonly FdEntry[]): SocketPeers {
  const sockets = fds.filter((f) => f.type === 'socket');
  if (sockets.length === 0) return { table: new Map(), peers: new Map() };
  const table = readUnixSocketTable();
  const hasUnix = sockets.some((f) => table.has(targetInode(f.target) ?? -1));
  return { table, peers: hasUnix ? readUnixSocketPeers() : new Map() };
}

function peerTarget(entry: FdEntry, sockets: SocketPeers): string | undefined {
  if (entry.type !== 'socket') return undefined;
  const peer = sockets.peers?.get(targetInode(entry.target) ?? -1);
  return peer === undefined || peer === 0 ? undefined : `socket:[${peer}]`;
}

function describeHolders(pid: number, entry: FdEntry, peer: string | undefined, found: Map<string, Array<{ pid: number; fd: number }>>, excluded: ReadonlySet<number>): FdHolder[] {
  const same = (found.get(entry.target) ?? []).map((h) => ({ ...h, peer: false }));
  const other = peer === undefined ? [] : (found.get(peer) ?? []).map((h) => ({ ...h, peer: true }));
  return [...same, ...other]
    .filter((h) => h.pid !== pid && !excluded.has(h.pid))
    .map((h) => ({ ...h, comm: tryReadStat(h.pid)?.comm ?? '?', mode: readAccessMode(h.pid, h.fd) }));
}

function uniqueSorted(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Everything the CLI shows about a process. Throws an ESRCH error when it does not exist. */
export function collectInspection(pid: number, options: InspectOptions = {}): Inspection {
  validatePid(pid);
  const excluded = new Set(options.exclude ?? []);
  const stat = readStat(pid);
  const cmdline = readCmdline(pid);
  const sets = readSignalSets(pid);
  const fds = readFdsOrEmpty(pid);

  const sockets = lookUpUnixPeers(fds);
  const wanted = new Set<string>();
  for (const entry of fds) {
    if (!isShareable(entry.type)) continue;
    wanted.add(entry.target);
    const peer = peerTarget(entry, sockets);
    if (peer !== undefined) wanted.add(peer);
  }
  const found = findHolders(wanted);

  const details = new Map<number, FdDetail>();
  const inspected: InspectedFd[] = fds.map((entry) => {
    const holders = isShareable(entry.type) ? describeHolders(pid, entry, peerTarget(entry, sockets), found, excluded) : [];
    const inode = targetInode(entry.target);
    details.set(entry.fd, {
      mode: readAccessMode(pid, entry.fd),
      holders,
      unixPath: entry.type === 'socket' && inode !== undefined ? sockets.table.get(inode) : undefined,
    });
    return { fd: entry.fd, target: entry.target, type: entry.type, sharedWith: uniqueSorted(holders.map((h) => h.pid)) };
  });

  const names = (list: number[]): string[] => list.map(signalName);
  return {
    info: {
      pid: stat.pid,
      ppid: stat.ppid,
      pgid: stat.pgid,
      sid: stat.sid,
      tty: ttyName(stat.ttyNr),
      foregroundGroup: stat.ttyNr === 0 || stat.tpgid <= 0 ? null : stat.tpgid,
      state: stat.state,
      stop: explainStop(stat),
      cmdline,
      signals: { ignored: names(sets.ignored), blocked: names(sets.blocked), caught: names(sets.caught), pending: names(sets.pending) },
      fds: inspected,
    },
    comm: stat.comm,
    kernelThread: isKernelThread(stat),
    details,
    peersKnown: sockets.peers !== undefined,
  };
}

/**
 * Inspect a process: ids, state, signal sets by name and open fds with the pids sharing each
 * pipe or socket. Synchronous (it only reads /proc). Throws an Error with code 'ESRCH' when the
 * process does not exist, TypeError/RangeError for a bad pid.
 */
export function inspect(pid: number, options: InspectOptions = {}): ProcessInfo {
  assertSupportedPlatform();
  return collectInspection(pid, options).info;
}
