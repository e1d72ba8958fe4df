// Grows this process's resident set to a target by allocating Buffers outside the V8 heap and
// writing to every page (allocUnsafeSlow + fill: a zero-filled allocation could stay unbacked).
// The memory is kept until the process exits, which is why each RSS level runs in its own process.

const CHUNK = 64 * 1024 * 1024;
const kept = [];

export function rssBytes() {
  return process.memoryUsage.rss();
}

/** Allocate and touch memory until RSS >= targetBytes. Returns the RSS reached. */
export function inflateRssTo(targetBytes) {
  for (let missing = targetBytes - rssBytes(); missing > 0; missing = targetBytes - rssBytes()) {
    const chunk = Buffer.allocUnsafeSlow(Math.min(CHUNK, Math.max(missing, 4096)));
    chunk.fill(0x5a);
    kept.push(chunk);
  }
  return rssBytes();
}
