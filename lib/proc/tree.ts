// processTree(pid): the process tree under a pid from one scan of /proc, each node with the marks
// the human view shows (group/session leader, zombie, orphan). The nested object is
// `procctl tree --json`.
import { assertSupportedPlatform } from '../platform.js';
import { commandLine, readCmdline } from './cmdline.js';
import { listPids } from './pids.js';
import { type ProcStat, noSuchProcess, tryReadStat } from './stat.js';

export interface TreeNode {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** One letter as in /proc/PID/stat. */
  state: string;
  /** argv joined by spaces, or [comm] for kernel threads and zombies. */
  cmd: string;
  /** pid = sid: it leads its session. */
  sessionLeader: boolean;
  /** pid = pgid: it leads its process group. */
  groupLeader: boolean;
  /** state Z: exited, not yet reaped. */
  zombie: boolean;
  /** Inferred: its parent that put it in its group is gone (see isOrphan). */
  orphan: boolean;
  children: TreeNode[];
}

export interface ProcessEntry extends ProcStat {
  cmd: string;
}

/** A snapshot of every process: by pid and by parent. */
export interface ProcessTable {
  byPid: Map<number, ProcessEntry>;
  childrenOf: Map<number, number[]>;
}

function readEntry(pid: number): ProcessEntry | undefined {
  const stat = tryReadStat(pid);
  if (stat === undefined) return undefined;
  let argv: string[] = [];
  try {
    argv = readCmdline(pid);
  } catch {
    // exited between the two reads: keep the stat, show [comm]
  }
  return { ...stat, cmd: commandLine(argv, stat.comm) };
}

export function readProcessTable(): ProcessTable {
  const byPid = new Map<number, ProcessEntry>();
  const childrenOf = new Map<number, number[]>();
  for (const pid of listPids()) {
    const entry = readEntry(pid);
    if (entry === undefined) continue;
    byPid.set(pid, entry);
    let siblings = childrenOf.get(entry.ppid);
    if (siblings === undefined) childrenOf.set(entry.ppid, (siblings = []));
    siblings.push(pid);
  }
  return { byPid, childrenOf };
}

function nodeOf(table: ProcessTable, entry: ProcessEntry): TreeNode {
  const { pid, ppid, pgid, sid, state, cmd } = entry;
  return { pid, ppid, pgid, sid, state, cmd, ...marksOf(entry, table), children: [] };
}

/**
 * The nested tree under `root`, built with an explicit stack rather than one stack frame per
 * level: a process chain can be far deeper than the JavaScript stack (tens of thousands of levels).
 */
function buildTree(table: ProcessTable, root: ProcessEntry): TreeNode {
  // A pid reused mid-scan could in theory form a cycle; never take a pid twice.
  const seen = new Set<number>([root.pid]);
  const top = nodeOf(table, root);
  const pending: TreeNode[] = [top];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    for (const child of table.childrenOf.get(node.pid) ?? []) {
      const childEntry = table.byPid.get(child);
      if (childEntry === undefined || seen.has(child)) continue;
      seen.add(child);
      const childNode = nodeOf(table, childEntry);
      node.children.push(childNode);
      pending.push(childNode);
    }
  }
  return top;
}

function validateRoot(pid: unknown): number {
  if (typeof pid !== 'number') throw new TypeError(`pid must be a number; got ${typeof pid}`);
  if (!Number.isSafeInteger(pid) || pid < 1) throw new RangeError(`pid must be a positive integer; got ${String(pid)}`);
  return pid;
}

/** The tree rooted at pid (default 1). Throws an Error with code 'ESRCH' when pid does not exist. */
export function processTree(pid = 1, table?: ProcessTable): TreeNode {
  assertSupportedPlatform();
  validateRoot(pid);
  table ??= readProcessTable();
  const root = table.byPid.get(pid);
  if (root === undefined) throw noSuchProcess(pid);
  return buildTree(table, root);
}

export interface ProcessMarks {
  sessionLeader: boolean;
  groupLeader: boolean;
  zombie: boolean;
  orphan: boolean;
}

/**
 * The kernel does not record reparenting, so "orphan" is inferred: the process leads neither its
 * group nor its session, its group is not its parent's group, and either its parent is PID 1 or
 * its group's leader is gone (the parent that put it there died; it now hangs under PID 1 or a
 * subreaper). A shell's background job left behind by `sh -c 'app &'` is the typical case.
 */
export function isOrphan(entry: ProcStat, table: ProcessTable): boolean {
  if (entry.pid === entry.pgid || entry.pid === entry.sid) return false;
  const parent = table.byPid.get(entry.ppid);
  if (parent === undefined || parent.pgid === entry.pgid) return false;
  const leader = table.byPid.get(entry.pgid);
  return entry.ppid === 1 || leader === undefined || leader.pgid !== entry.pgid;
}

export function marksOf(entry: ProcStat, table: ProcessTable): ProcessMarks {
  return {
    sessionLeader: entry.pid === entry.sid,
    groupLeader: entry.pid === entry.pgid,
    zombie: entry.state === 'Z',
    orphan: isOrphan(entry, table),
  };
}
