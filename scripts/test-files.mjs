// The compiled test files under a directory (dist/test, or a part of it), sorted: Node 20's --test
// takes no globs, and a directory given to it would also run the fixtures under dist/test.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every *.test.js below dir, sorted; none when dir does not exist (nothing compiled yet). */
export function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(path));
    else if (entry.name.endsWith('.test.js')) out.push(path);
  }
  return out.sort();
}
