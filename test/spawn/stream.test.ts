// Throughput with backpressure: 100 MB through stdin → cat → stdout arrives intact while the
// parent never holds more than a few stream buffers of it (the data is streamed, never buffered
// whole). Checked twice: the bytes queued in the two streams, sampled on every chunk, and the
// parent's RSS with garbage collected every 8 MB so that uncollected chunks do not count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { spawn } from '../../lib/index.js';
import { collectGarbage, underSanitizer, withDeadline } from '../helpers/proc.js';

const TOTAL = 100 * 1024 * 1024;
const CHUNK = 64 * 1024;
const GC_EVERY = (8 * 1024 * 1024) / CHUNK;

test('100 MB through cat: intact, with bounded parent RSS', { timeout: 60_000 }, async (t) => {
  const child = spawn('cat', [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const sent = createHash('sha256');
  const received = createHash('sha256');
  collectGarbage();
  const baseline = process.memoryUsage().rss;
  let peakRss = baseline;
  let peakQueued = 0;
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakQueued = Math.max(peakQueued, child.stdin!.writableLength + child.stdout!.readableLength);
  };

  /** Deterministic chunks, hashed as they are produced; each chunk is a fresh buffer. */
  function* chunks(): Generator<Buffer> {
    for (let offset = 0, i = 0; offset < TOTAL; offset += CHUNK, i++) {
      if (i % GC_EVERY === 0) collectGarbage();
      sample();
      const chunk = Buffer.alloc(CHUNK, i % 251);
      chunk.writeUInt32LE(i, 0);
      sent.update(chunk);
      yield chunk;
    }
  }
  async function drain(): Promise<void> {
    for await (const chunk of child.stdout!) received.update(chunk as Buffer);
  }

  const sampler = setInterval(sample, 10);
  try {
    await withDeadline(
      Promise.all([drain(), pipeline(Readable.from(chunks()), child.stdin!)]),
      50_000,
      '100 MB through cat',
    );
    assert.equal(received.digest('hex'), sent.digest('hex'));
    assert.equal((await child.exited).code, 0);
  } finally {
    clearInterval(sampler);
    child.kill('SIGKILL');
  }
  const growthMb = (peakRss - baseline) / 2 ** 20;
  t.diagnostic(`parent RSS growth ${growthMb.toFixed(1)} MB, at most ${peakQueued} bytes queued in the streams`);
  // Backpressure: a writer that ignored write()'s return would queue most of the 100 MB.
  assert.ok(peakQueued <= 4 * CHUNK, `${peakQueued} bytes queued in stdin/stdout`);
  if (underSanitizer) {
    // AddressSanitizer's allocator and quarantine hold freed chunks: RSS says little there.
    t.diagnostic('RSS not checked under AddressSanitizer');
    return;
  }
  // Buffering the payload needs >= 100 MB; streaming needs the pipe and socket buffers plus at
  // most GC_EVERY chunks of garbage on each side.
  assert.ok(growthMb < 50, `parent RSS grew by ${growthMb.toFixed(1)} MB`);
});
