// Scenario: procctl's spawn+wait of /bin/true on the clone path this process was started with
// (the vfork path, or the fork path under PROCCTL_FORK_SPAWN=1), at one RSS level. The fork path
// copies the page tables, so its cost grows with the parent's size; the vfork path does not.
// Config: {label, targetBytes, file, plan}. Result: {label, rssBytes, path, row}.
import { loadLibraries } from '../lib/libraries.mjs';
import { collectSerial, measureInRounds } from '../lib/measure.mjs';
import { inflateRssTo } from '../lib/rss.mjs';
import { progress, runScenario } from '../lib/scenario-main.mjs';

await runScenario(async ({ label, targetBytes, file, plan }) => {
  const { loaded, missing } = await loadLibraries('spawnWait', ['procctl']);
  if (loaded.length === 0) return { label, error: missing[0]?.reason ?? 'procctl not loaded' };
  const { adapter } = loaded[0];
  const rssBytes = inflateRssTo(targetBytes);
  const [row] = await measureInRounds([{ name: 'procctl', collect: (p) => collectSerial(() => adapter.spawnWait(file, []), p) }], plan);
  const { native } = await import('../../dist/lib/native.js');
  const path = native().spawnPath();
  progress('spawn path', row.error ? `${path} ${label}: failed: ${row.error}` : `${path} ${label}: median ${row.totalMs.median.toFixed(3)} ms`);
  return { label, rssBytes, path, row };
});
