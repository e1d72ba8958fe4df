// Collecting a child's output, and the bounded drain after it exits. A grandchild that inherited
// the pipe keeps it open long after the child is gone; exec() waits at most drainTimeout for the
// pipes to close, then names the processes holding them and cuts the output there.
//
// Who holds a pipe: its two ends share one inode, and /proc/PID/fd/N of any process holding either
// end reads `pipe:[INODE]`; the scan itself is lib/proc/holders.ts. Done only after a drain timed
// out: a full scan costs a readlink per open fd on the machine.
import type { Readable } from 'node:stream';
import { readlinkSync } from 'node:fs';
import { findHolders } from '../proc/holders.js';
import type { StdioStream } from '../spawn/stdio.js';

/** The `pipe:[INODE]` link of one of this process's fds, or null when it is not a pipe (or closed). */
export function pipeLinkOf(fd: number): string | null {
  try {
    const link = readlinkSync(`/proc/self/fd/${fd}`);
    return link.startsWith('pipe:[') ? link : null;
  } catch {
    return null;
  }
}

/** PIDs other than this process with an fd on any of the given `pipe:[INODE]` links, sorted. */
export function findPipeHolders(pipes: Iterable<string>): number[] {
  const holders = new Set<number>();
  for (const list of findHolders(new Set(pipes)).values()) {
    for (const { pid } of list) if (pid !== process.pid) holders.add(pid);
  }
  return [...holders].sort((a, b) => a - b);
}

/** One stream's output, kept as chunks until the end (no copy per chunk). */
export interface Collector {
  chunks: Buffer[];
  bytes: number;
  /** maxBuffer was reached: the output was cut there and the stream closed. */
  overflowed: boolean;
  /** Resolves when the stream is closed (EOF, destroy or error). Never rejects. */
  closed: Promise<void>;
  isClosed: boolean;
}

/**
 * Read a stream into a collector. At maxBuffer bytes the output is cut, the stream destroyed and
 * onOverflow called once (exec() stops the group there). Every chunk kept is also pushed to
 * `interleaved` when given (exec()'s `all`: stdout and stderr in arrival order).
 */
export function collect(stream: Readable, maxBuffer: number, onOverflow: () => void, interleaved?: Buffer[]): Collector {
  const collector: Collector = { chunks: [], bytes: 0, overflowed: false, closed: Promise.resolve(), isClosed: false };
  collector.closed = new Promise((resolve) => {
    stream.once('close', () => {
      collector.isClosed = true;
      resolve();
    });
  });
  // Errors (EIO, ECONNRESET on a destroyed pipe) end the collection; the close event follows.
  stream.on('error', () => undefined);
  stream.on('data', (chunk: Buffer) => {
    if (collector.overflowed) return;
    const room = maxBuffer - collector.bytes;
    if (chunk.length <= room) {
      collector.chunks.push(chunk);
      interleaved?.push(chunk);
      collector.bytes += chunk.length;
      return;
    }
    if (room > 0) {
      collector.chunks.push(chunk.subarray(0, room));
      interleaved?.push(chunk.subarray(0, room));
    }
    collector.bytes = maxBuffer;
    collector.overflowed = true;
    stream.destroy();
    onOverflow();
  });
  return collector;
}

/** Chunks as one Buffer or decoded. */
export function joinChunks(chunks: readonly Buffer[], encoding: BufferEncoding | 'buffer'): string | Buffer {
  const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  return encoding === 'buffer' ? buffer : buffer.toString(encoding);
}

/** The collected output, as one Buffer or decoded. */
export function collectedOutput(collector: Collector, encoding: BufferEncoding | 'buffer'): string | Buffer {
  return joinChunks(collector.chunks, encoding);
}

export interface DrainResult {
  /** Some pipe was still open at drainTimeout: its output was cut. */
  cut: boolean;
  /** PIDs that held the still-open pipes. */
  holders: number[];
}

function waitOrTimeout(done: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([done.then(() => true), expired]).finally(() => clearTimeout(timer));
}

/**
 * Called once the process has exited: wait up to drainTimeout for the output pipes to close. If
 * any is still open then, find who holds it (while our end is still open, so the inode is ours),
 * and close our end.
 */
export async function drainAfterExit(
  outputs: ReadonlyArray<{ pipe: StdioStream; collector: Collector }>,
  drainTimeout: number,
): Promise<DrainResult> {
  const open = outputs.filter((o) => !o.collector.isClosed);
  if (open.length === 0) return { cut: false, holders: [] };
  if (await waitOrTimeout(Promise.all(open.map((o) => o.collector.closed)), drainTimeout)) {
    return { cut: false, holders: [] };
  }
  const stillOpen = open.filter((o) => !o.collector.isClosed);
  const links = stillOpen.map((o) => pipeLinkOf(o.pipe.fd)).filter((l): l is string => l !== null);
  const holders = findPipeHolders(links);
  for (const o of stillOpen) o.pipe.stream.destroy();
  await Promise.all(stillOpen.map((o) => o.collector.closed));
  return { cut: stillOpen.length > 0, holders };
}
