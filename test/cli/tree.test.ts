// procctl tree [PID] [--json]: nested JSON, the marks of the human form, errors.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, firstLine, isOneErrorLine, killMarked, sleepers, readFileSyncSafe, runCli, uniqueSleep } from '../helpers/cli.js';
import { waitUntil, zombieChildren } from '../helpers/proc.js';

const T = { timeout: 20_000 };

interface TreeJson {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  state: string;
  cmd: string;
  sessionLeader: boolean;
  groupLeader: boolean;
  zombie: boolean;
  orphan: boolean;
  children: TreeJson[];
}

function find(node: TreeJson, pid: number): TreeJson | undefined {
  if (node.pid === pid) return node;
  for (const child of node.children) {
    const hit = find(child, pid);
    if (hit) return hit;
  }
  return undefined;
}

function lineOf(output: string, pid: number): string {
  return output.split('\n').find((line) => new RegExp(`^\\s*${pid} `).test(line)) ?? '';
}

describe('procctl tree', () => {
  test('--json nests children with exactly the documented fields', T, async () => {
    const nap = uniqueSleep();
    const child = spawn('sh', ['-c', `sleep ${nap} & echo go; wait`], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      assert.equal(await firstLine(child), 'go');
      await waitUntil(() => sleepers(nap).length === 1, 5000, 'sleep');
      const r = await runCli(['tree', String(process.pid), '--json']);
      assert.equal(r.code, 0, r.stderr);
      const root = JSON.parse(r.stdout) as TreeJson;
      assert.deepEqual(Object.keys(root), ['pid', 'ppid', 'pgid', 'sid', 'state', 'cmd', 'sessionLeader', 'groupLeader', 'zombie', 'orphan', 'children']);
      assert.equal(root.pid, process.pid);
      const sh = find(root, child.pid as number);
      assert.ok(sh, 'the sh child is in the tree');
      assert.equal(sh.ppid, process.pid);
      assert.equal(sh.cmd, `sh -c sleep ${nap} & echo go; wait`);
      const sleeper = sh.children.find((c) => c.cmd === `sleep ${nap}`);
      assert.ok(sleeper, 'the sleep is nested under sh');
      assert.deepEqual(sleeper.children, []);
    } finally {
      child.kill('SIGKILL');
      killMarked(nap);
    }
  });

  test('without PID the tree starts at PID 1', T, async () => {
    const r = await runCli(['tree', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const root = JSON.parse(r.stdout) as TreeJson;
    assert.equal(root.pid, 1);
    assert.ok(find(root, process.pid), 'this test process is somewhere under PID 1');
  });

  test('marks group leaders, session leaders, zombies and orphans', T, async () => {
    const nap = uniqueSleep();
    const orphanNap = uniqueSleep();
    // A session leader whose short-lived child becomes a zombie (sh exec's into sleep, never reaps).
    const leader = spawn('sh', ['-c', `sleep 0.01 & exec sleep ${nap}`], { stdio: 'ignore', detached: true });
    // An orphan: its shell exits at once; the sleep is reparented to PID 1 or a subreaper.
    spawnSync('setsid', ['sh', '-c', `sleep ${orphanNap} >/dev/null 2>&1 &`], { timeout: 5000 });
    try {
      let zombie = 0;
      await waitUntil(() => (zombie = zombieChildren(leader.pid as number)[0] ?? 0) > 0, 5000, 'a zombie');
      await waitUntil(() => sleepers(orphanNap).length === 1, 5000, 'the orphan');
      const [orphan] = sleepers(orphanNap);
      const r = await runCli(['tree']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(lineOf(r.stdout, leader.pid as number), /session leader/);
      assert.match(lineOf(r.stdout, zombie), / Z .*zombie/);
      assert.match(lineOf(r.stdout, orphan as number), /orphan/);
      assert.doesNotMatch(lineOf(r.stdout, process.pid), /orphan/);
      // --json carries the same marks as booleans on every node.
      const json = await runCli(['tree', '--json']);
      assert.equal(json.code, 0, json.stderr);
      const root = JSON.parse(json.stdout) as TreeJson;
      const leaderNode = find(root, leader.pid as number);
      assert.equal(leaderNode?.sessionLeader, true);
      assert.equal(leaderNode?.groupLeader, true);
      assert.equal(leaderNode?.zombie, false);
      const zombieNode = find(root, zombie);
      assert.equal(zombieNode?.zombie, true);
      assert.equal(zombieNode?.groupLeader, false);
      assert.equal(find(root, orphan as number)?.orphan, true);
      assert.equal(find(root, process.pid)?.orphan, false);
      assert.match(r.stdout, /^ +PID +PGID +SID S +COMMAND\n/);
      assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when stdout is not a TTY');
    } finally {
      leader.kill('SIGKILL');
      killMarked(nap, orphanNap);
    }
  });

  test('group leader mark for a process leading only its group', T, async () => {
    const nap = uniqueSleep();
    // procctl exec --new-group: the same PID becomes sleep, leading a new group in our session.
    const cli = spawn(process.execPath, [CLI, 'exec', '--new-group', 'sleep', nap], { stdio: 'ignore' });
    try {
      await waitUntil(() => readFileSyncSafe(`/proc/${cli.pid}/cmdline`) === `sleep\0${nap}\0`, 5000, 'exec into sleep');
      const r = await runCli(['tree', String(process.pid)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(lineOf(r.stdout, cli.pid as number), /sleep .*\[group leader\]/);
    } finally {
      cli.kill('SIGKILL');
      killMarked(nap);
    }
  });

  test('usage errors exit 2, a missing PID exits 1, one procctl: line', T, async () => {
    const cases: Array<[string[], number]> = [
      [['tree', 'x'], 2],
      [['tree', '1', '2'], 2],
      [['tree', '--nope'], 2],
      [['tree', '4194303'], 1],
    ];
    for (const [args, status] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, status, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(isOneErrorLine(r.stderr), r.stderr);
    }
  });
});
