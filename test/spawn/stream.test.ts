// Throughput with backpressure: 100 MB through stdin → cat → stdout arrives intact while the
// parent's RSS stays bounded (the data is streamed, never buffered whole).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { spawn } from '../../lib/index.js';
import { withDeadline } from '../helpers/proc.js';
import { hashStream } from '../helpers/spawn.js';

const TOTAL = 100 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** Deterministic chunks, hashed as they are produced; each chunk is a fresh buffer. */
function* chunks(hash: ReturnType<typeof createHash>): Generator<Buffer> {
  for (let offset = 0, i = 0; offset < TOTAL; offset += CHUNK, i++) {
    const chunk = Buffer.alloc(CHUNK, i % 251);
    chunk.writeUInt32LE(i, 0);
    hash.update(chunk);
    yield chunk;
  }
}

test('100 MB through cat: intact, with bounded parent RSS', { timeout: 60_000 }, async (t) => {
  const child = spawn('cat', [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const sent = createHash('sha256');
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const [received] = await withDeadline(
      Promise.all([hashStream(child.stdout!), pipeline(Readable.from(chunks(sent)), child.stdin!)]),
      50_000,
      '100 MB through cat',
    );
    assert.equal(received, sent.digest('hex'));
    assert.equal((await child.exited).code, 0);
  } finally {
    clearInterval(sampler);
    child.kill('SIGKILL');
  }
  const growthMb = (peak - baseline) / 2 ** 20;
  // Buffering the payload would need >= 100 MB; streaming needs a few pipe and socket buffers
  // plus garbage not yet collected.
  t.diagnostic(`parent RSS growth ${growthMb.toFixed(1)} MB for 100 MB streamed`);
  assert.ok(growthMb < 80, `parent RSS grew by ${growthMb.toFixed(1)} MB`);
});
