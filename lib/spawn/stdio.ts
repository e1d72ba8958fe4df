// The child's stdio: pipes created with pipe2(O_CLOEXEC) through the addon, /dev/null for
// 'ignore' (DEV_NULL: opened and closed by the native spawn itself, so procctl holds no fd between
// spawns), and the fd plan native.spawn takes (child fd i = dup of parent fd fds[i]). The `stdio`
// option is checked here too (validateStdio).
//
// Lifecycle of a pipe: both ends are created CLOEXEC (no other child, even one started by
// node:child_process at the same moment, can inherit them), the child's end is dup2'ed into place
// by the native spawn (which clears CLOEXEC on the copy) and closed in the parent right after, and
// the parent's end becomes a net.Socket, which makes it non-blocking and owns it from then on.
import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import { DEV_NULL, native } from '../native.js';
import { rangeError, typeError } from '../validate.js';

/** The parent's side of one pipe before it is wrapped in a stream. */
interface ParentEnd {
  childFd: number;
  fd: number;
  /** true: the parent writes (child stdin); false: the parent reads. */
  writable: boolean;
}

export interface PreparedStdio {
  /** The plan for native.spawn: child fd i ← parent fd fds[i], -1 closed, DEV_NULL /dev/null. */
  fds: number[];
  /** Child ends of our pipes: closed in the parent once the child has them. */
  childEnds: number[];
  parentEnds: ParentEnd[];
}

/** One parent end wrapped in a stream, with its fd (the drain needs it to name pipe holders). */
export interface StdioStream {
  childFd: number;
  fd: number;
  stream: Socket;
}

/** Close fds the parent owns; one already closed is not an error. */
export function closeQuietly(fds: Iterable<number>): void {
  for (const fd of fds) {
    try {
      native().close(fd);
    } catch {
      // Already closed: nothing left to release.
    }
  }
}

/**
 * Every fd the caller handed in must be open before the first pipe exists: a closed fd number
 * would otherwise be taken by one of our own new pipe ends, and the child would silently get that
 * instead of failing with EBADF as a never-opened fd does.
 */
function checkGivenFdsOpen(plan: readonly StdioPlanEntry[]): void {
  plan.forEach((entry, childFd) => {
    if (entry.kind !== 'fd') return;
    try {
      fstatSync(entry.fd);
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stage?: string };
      failure.message = `${failure.code ?? 'EBADF'}: bad file descriptor, stdio[${childFd}] is fd ${entry.fd}, which is not open`;
      failure.stage = 'fd';
      throw failure;
    }
  });
}

/** Create the pipes the plan asks for. On failure, every fd created so far is closed again. */
export function prepareStdio(plan: readonly StdioPlanEntry[]): PreparedStdio {
  checkGivenFdsOpen(plan);
  const prepared: PreparedStdio = { fds: [], childEnds: [], parentEnds: [] };
  try {
    plan.forEach((entry, childFd) => {
      if (entry.kind === 'fd') {
        prepared.fds.push(entry.fd);
      } else if (entry.kind === 'ignore') {
        // fds 0-2 must never be left closed, or the next file the child opens would become its
        // stdout: /dev/null there, which the native spawn opens for the clone and closes after.
        prepared.fds.push(childFd < 3 ? DEV_NULL : -1);
      } else {
        const [readFd, writeFd] = native().pipe();
        // fd 0 is the child's input; every other pipe carries output to the parent.
        const childReads = childFd === 0;
        prepared.fds.push(childReads ? readFd : writeFd);
        prepared.childEnds.push(childReads ? readFd : writeFd);
        prepared.parentEnds.push({ childFd, fd: childReads ? writeFd : readFd, writable: childReads });
      }
    });
  } catch (error) {
    abandonStdio(prepared);
    throw error;
  }
  return prepared;
}

/** After the spawn (success or not) the parent must not keep the child's ends open: EOF depends on it. */
export function closeChildEnds(prepared: PreparedStdio): void {
  closeQuietly(prepared.childEnds);
  prepared.childEnds = [];
}

/** The spawn failed: close the parent ends as well. */
export function abandonStdio(prepared: PreparedStdio): void {
  closeChildEnds(prepared);
  closeQuietly(prepared.parentEnds.map((end) => end.fd));
  prepared.parentEnds = [];
}

/** Wrap the parent ends in sockets (libuv switches the fds to non-blocking). */
export function openParentStreams(prepared: PreparedStdio): StdioStream[] {
  return prepared.parentEnds.map((end) => ({
    childFd: end.childFd,
    fd: end.fd,
    stream: new Socket({ fd: end.fd, readable: !end.writable, writable: end.writable }),
  }));
}

export type StdioPlanEntry = { kind: 'pipe' } | { kind: 'ignore' } | { kind: 'fd'; fd: number };

/** The fd of a stream passed in stdio: fs streams and process.stdout expose .fd, sockets a handle. */
function streamFd(entry: object): number | undefined {
  const direct = (entry as { fd?: unknown }).fd;
  if (typeof direct === 'number') return direct;
  const handle = (entry as { _handle?: { fd?: unknown } | null })._handle;
  return typeof handle?.fd === 'number' ? handle.fd : undefined;
}

function isFdNumber(fd: number): boolean {
  return Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff;
}

function validateStdioEntry(entry: unknown, index: number): StdioPlanEntry {
  const option = `stdio[${index}]`;
  const expected = `'pipe', 'ignore', 'inherit', an fd number >= 0 or a stream with an fd`;
  if (entry === undefined || entry === null) return { kind: index < 3 ? 'pipe' : 'ignore' };
  if (entry === 'pipe' || entry === 'ignore') return { kind: entry };
  if (entry === 'inherit') return { kind: 'fd', fd: index };
  if (typeof entry === 'number') {
    if (!isFdNumber(entry)) throw rangeError(option, expected, entry);
    return { kind: 'fd', fd: entry };
  }
  if (typeof entry === 'object') {
    const fd = streamFd(entry);
    if (fd === undefined || fd < 0) throw typeError(option, `${expected} (this stream has no open fd)`, entry);
    if (!isFdNumber(fd)) throw rangeError(`${option}.fd`, 'an integer fd from 0 to 2147483647', fd);
    return { kind: 'fd', fd };
  }
  throw typeError(option, expected, entry);
}

export function validateStdio(value: unknown): StdioPlanEntry[] {
  if (value === undefined || value === null) return [{ kind: 'pipe' }, { kind: 'pipe' }, { kind: 'pipe' }];
  if (typeof value === 'string') {
    if (value !== 'pipe' && value !== 'ignore' && value !== 'inherit') {
      throw typeError('stdio', `'pipe', 'ignore', 'inherit' or an array of them`, value);
    }
    return [0, 1, 2].map((i) => validateStdioEntry(value, i));
  }
  if (!Array.isArray(value)) throw typeError('stdio', `'pipe', 'ignore', 'inherit' or an array`, value);
  if (value.length > 1024) throw rangeError('stdio', 'an array of at most 1024 entries', value.length);
  const plan: StdioPlanEntry[] = [];
  // Iterate by index, not forEach: holes in a sparse array count as unset entries.
  for (let i = 0; i < Math.max(3, value.length); i++) plan.push(validateStdioEntry(value[i], i));
  return plan;
}
