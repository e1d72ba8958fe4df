// Output that another process controls: a process whose argv holds terminal escapes and newlines
// must not clear the viewer's screen nor forge lines in `procctl inspect` and `tree`; --json keeps
// the exact text. Trees of any depth: built and printed without recursion, compact JSON to a pipe.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from '../../lib/index.js';
import { type ProcessEntry, type ProcessTable, type TreeNode, processTree } from '../../lib/proc/tree.js';
import { MAX_DRAWN_DEPTH, renderTree, treeJson } from '../../lib/cli/tree.js';
import { palette, printable } from '../../lib/cli/output.js';
import { runCli } from '../helpers/cli.js';
import { killGroupQuietly, withDeadline } from '../helpers/proc.js';

const T = { timeout: 30_000 };
/** Clears the screen, homes the cursor, then forges a line that looks like PID 1's. */
const HOSTILE = '\x1b[2J\x1b[H\n      1       1       1 S  /sbin/init\r\x07\x9b31m\u202eevil';

/** Bytes that a terminal would act on: C0 controls other than the newline, DEL, C1 controls. */
function terminalControls(text: string): string[] {
  return [...text.matchAll(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/g)].map((m) => m[0]);
}

describe('hostile argv in human output', () => {
  test('printable() turns every control character into ?, as ps does', () => {
    assert.equal(printable('a\x1b[2Jb\nc\td\x7f\x85e\u202ef'), 'a?[2Jb?c?d??e?f');
    assert.equal(printable('plain ünïcødé 日本'), 'plain ünïcødé 日本');
  });

  test('inspect and tree: no escape reaches the terminal, no line is forged; --json is exact', T, async () => {
    const child = spawn('sleep', ['30'], { argv0: HOSTILE, stdio: 'ignore' });
    try {
      const inspect = await runCli(['inspect', String(child.pid)]);
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.deepEqual(terminalControls(inspect.stdout), [], 'inspect prints no control character');
      const head = inspect.stdout.split('\n')[0] ?? '';
      assert.ok(head.startsWith(`${child.pid}  ?[2J?[H?      1       1       1 S  /sbin/init???31m?evil 30`), `one line: ${JSON.stringify(head)}`);

      const tree = await runCli(['tree', String(child.pid)]);
      assert.equal(tree.code, 0, tree.stderr);
      assert.deepEqual(terminalControls(tree.stdout), [], 'tree prints no control character');
      const lines = tree.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 2, `header and one process line: ${JSON.stringify(tree.stdout)}`);
      assert.ok(!lines.some((l) => /^\s+1\s+1\s+1 /.test(l)), 'no forged PID 1 line');

      const json = await runCli(['inspect', String(child.pid), '--json']);
      assert.deepEqual((JSON.parse(json.stdout) as { cmdline: string[] }).cmdline, [HOSTILE, '30'], 'inspect --json keeps the exact argv');
      assert.ok(json.stdout.includes('\\u001b[2J'), 'as a JSON escape');
      const treeJsonOut = await runCli(['tree', String(child.pid), '--json']);
      assert.equal((JSON.parse(treeJsonOut.stdout) as { cmd: string }).cmd, `${HOSTILE} 30`);
    } finally {
      killGroupQuietly(child.pgid);
      await withDeadline(child.exited, 10_000, 'sleep exit');
    }
  });
});

/** A synthetic process table: one chain `depth` processes deep under pid 1. */
function chainTable(depth: number): ProcessTable {
  const byPid = new Map<number, ProcessEntry>();
  const childrenOf = new Map<number, number[]>();
  for (let pid = 1; pid <= depth; pid++) {
    const entry = { pid, ppid: pid - 1, pgid: pid, sid: 1, state: 'S', comm: 'sh', cmd: `sh -c level${pid}` };
    byPid.set(pid, entry as unknown as ProcessEntry);
    childrenOf.set(pid - 1, [pid]);
  }
  return { byPid, childrenOf };
}

describe('deep trees', () => {
  test('a 20,000-deep chain is built, rendered and serialised without recursion', T, () => {
    const depth = 20_000;
    const table = chainTable(depth);
    const root = processTree(1, table);
    let node: TreeNode | undefined = root;
    let levels = 0;
    while (node !== undefined) {
      levels++;
      node = node.children[0];
    }
    assert.equal(levels, depth, 'every level is in the tree');

    const text = renderTree(root, palette(false));
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, depth + 1, 'a header and one line per process');
    // Drawing stops growing at MAX_DRAWN_DEPTH: the output is linear in the number of processes.
    const longest = Math.max(...lines.map((l) => l.length));
    assert.ok(longest < 3 * MAX_DRAWN_DEPTH + 80, `longest line ${longest} characters`);
    assert.ok(lines[depth]?.includes(`⋯${depth - 1} sh -c level${depth}`), `the deepest line carries its depth: ${lines[depth]}`);

    const compact = treeJson(root, false);
    assert.ok(compact.length < depth * 250, `compact JSON is linear: ${compact.length} bytes`);
    assert.ok(!compact.includes('\n'), 'compact JSON is one line');
  });

  test('treeJson is JSON.stringify for trees JSON.stringify can handle', () => {
    const table = chainTable(50);
    // Add a few siblings so arrays of several elements are covered.
    for (const pid of [1001, 1002, 1003]) {
      table.byPid.set(pid, { pid, ppid: 3, pgid: 3, sid: 1, state: 'Z', comm: 'x', cmd: `[x] "q" \\ \x1b` } as unknown as ProcessEntry);
      table.childrenOf.get(3)?.push(pid);
    }
    const root = processTree(1, table);
    assert.equal(treeJson(root, true), JSON.stringify(root, null, 2));
    assert.equal(treeJson(root, false), JSON.stringify(root));
  });

  test('tree --json to a pipe is compact; the live tree parses', T, async () => {
    const r = await runCli(['tree', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').length, 1, 'one line when stdout is not a terminal');
    assert.equal((JSON.parse(r.stdout) as TreeNode).pid, 1);
  });
});
