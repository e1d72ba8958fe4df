// procctl inspect PID [--json]: the JSON shape, pipe and socket sharing, the human form, errors.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { firstLine, isOneErrorLine, killMarked, sleepers, runCli, uniqueSleep } from '../helpers/cli.js';
import { exists, readStat, waitUntil, zombieChildren } from '../helpers/proc.js';
import { CTRL_Z, PtyShell, ptyShellMissing } from '../helpers/terminal.js';

const T = { timeout: 20_000 };

interface InspectJson {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  tty: string | null;
  foregroundGroup: number | null;
  state: string;
  stop: { cause: string; explanation: string } | null;
  cmdline: string[];
  signals: { ignored: string[]; blocked: string[]; caught: string[]; pending: string[] };
  fds: Array<{ fd: number; target: string; type: string; sharedWith: number[] }>;
}

async function inspectJson(pid: number): Promise<InspectJson> {
  const r = await runCli(['inspect', String(pid), '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as InspectJson;
}

describe('procctl inspect', () => {
  test('--json has exactly the documented shape', T, async () => {
    const info = await inspectJson(process.pid);
    assert.deepEqual(Object.keys(info), ['pid', 'ppid', 'pgid', 'sid', 'tty', 'foregroundGroup', 'state', 'stop', 'cmdline', 'signals', 'fds']);
    assert.equal(info.stop, null, 'a running process has no stop to explain');
    if (info.tty === null) assert.equal(info.foregroundGroup, null, 'no terminal, no foreground group');
    assert.equal(info.pid, process.pid);
    assert.equal(info.ppid, process.ppid);
    assert.ok(info.tty === null || typeof info.tty === 'string');
    assert.match(info.state, /^[RSDTtZXI]$/);
    assert.deepEqual(info.cmdline, [process.execPath, ...process.execArgv, ...process.argv.slice(1)]);
    assert.deepEqual(Object.keys(info.signals), ['ignored', 'blocked', 'caught', 'pending']);
    // Node ignores SIGPIPE and SIGXFSZ; names, not numbers.
    assert.ok(info.signals.ignored.includes('SIGPIPE') && info.signals.ignored.includes('SIGXFSZ'));
    for (const fd of info.fds) {
      assert.deepEqual(Object.keys(fd), ['fd', 'target', 'type', 'sharedWith']);
      assert.ok(Array.isArray(fd.sharedWith));
    }
    assert.deepEqual(info.fds.slice(0, 3).map((f) => f.fd), [0, 1, 2]);
  });

  test('a pipe inherited by a grandchild: every holder is listed, by pid', T, async () => {
    const a = uniqueSleep();
    const b = uniqueSleep();
    // A subshell starts two sleeps that inherit its stdout, a pipe read by cat.
    const child = spawn('sh', ['-c', `echo go; (sleep ${a} & sleep ${b} & wait) | cat`], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      assert.equal(await firstLine(child), 'go');
      await waitUntil(() => sleepers(a).length === 1 && sleepers(b).length === 1, 5000, 'both sleeps');
      const [pidA] = sleepers(a);
      const [pidB] = sleepers(b);
      const info = await inspectJson(pidA as number);
      const stdout = info.fds.find((f) => f.fd === 1);
      assert.ok(stdout, 'fd 1 present');
      assert.equal(stdout.type, 'pipe');
      assert.match(stdout.target, /^pipe:\[\d+\]$/);
      assert.ok(stdout.sharedWith.includes(pidB as number), `${pidB} in ${stdout.sharedWith}`);
      assert.ok(!stdout.sharedWith.includes(pidA as number), 'not the process itself');

      const human = await runCli(['inspect', String(pidA)]);
      // Both ends are named: the other writer and the reader (cat, fd 0).
      assert.match(human.stdout, new RegExp(`pipe:\\[\\d+\\] +pipe, write end +shared with .*${pidB} sleep \\(fd 1 w\\)`));
      assert.match(human.stdout, /\d+ cat \(fd 0 r\)/);
    } finally {
      child.kill('SIGKILL');
      killMarked(a, b);
    }
  });

  test('a unix socketpair: the process at the other end is listed', T, async () => {
    // Node gives a child's stdio 'pipe' as a socketpair; the test process holds the other end.
    const nap = uniqueSleep();
    const child = spawn('sleep', [nap], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await waitUntil(() => sleepers(nap).length === 1, 5000, 'sleep');
      const info = await inspectJson(child.pid as number);
      const stdout = info.fds.find((f) => f.fd === 1);
      assert.equal(stdout?.type, 'socket');
      const human = await runCli(['inspect', String(child.pid)]);
      assert.doesNotMatch(human.stdout, /peers unknown/);
      assert.match(human.stdout, new RegExp(`\\b${process.pid}\\b`));
      assert.ok(stdout?.sharedWith.includes(process.pid), `${process.pid} in ${stdout?.sharedWith}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('human form names ids, state and signal sets; no colour when not a TTY', T, async () => {
    const r = await runCli(['inspect', String(process.pid)]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^${process.pid}  `));
    assert.match(r.stdout, /ppid \d+ +pgid \d+ +sid \d+ +tty /);
    assert.match(r.stdout, /ignored +.*SIGPIPE/);
    assert.match(r.stdout, /SIGPIPE ignored/);
    assert.doesNotMatch(r.stdout, /\x1b\[/);
  });

  test('a zombie shows state Z and why', T, async () => {
    const nap = uniqueSleep();
    // The short sleep exits; its parent (sh, replaced by the long sleep) never reaps it.
    const child = spawn('sh', ['-c', `sleep 0.01 & exec sleep ${nap}`], { stdio: 'ignore' });
    try {
      let zombie = 0;
      await waitUntil(() => (zombie = zombieChildren(child.pid as number)[0] ?? 0) > 0, 5000, 'a zombie child');
      const info = await inspectJson(zombie);
      assert.equal(info.state, 'Z');
      assert.deepEqual(info.fds, []);
      const human = await runCli(['inspect', String(zombie)]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /state Z \(zombie\)/);
    } finally {
      child.kill('SIGKILL');
      killMarked(nap);
    }
  });

  test('usage errors exit 2; a PID that does not exist exits 1; always one procctl: line', T, async () => {
    const cases: Array<[string[], number]> = [
      [['inspect'], 2],
      [['inspect', 'abc'], 2],
      [['inspect', '-5'], 2],
      [['inspect', '0'], 2],
      [['inspect', '12abc'], 2],
      [['inspect', '1', '2'], 2],
      [['inspect', '--bogus', '1'], 2],
      [['inspect', '4194303'], 1],
    ];
    for (const [args, status] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, status, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(isOneErrorLine(r.stderr), `${args.join(' ')}: ${JSON.stringify(r.stderr)}`);
      assert.equal(r.stdout, '');
    }
  });

  test('a PID that vanished exits 1', T, async () => {
    // pid_max may be small and other processes churn: retry when the pid was handed out again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const child = spawn('true');
      const pid = child.pid as number;
      await new Promise((resolve) => child.on('close', resolve));
      const r = await runCli(['inspect', String(pid), '--json']);
      if (r.code !== 1 && exists(pid)) continue;
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `procctl: no such process: ${pid}\n`);
      return;
    }
    assert.fail('the pid was reused on every attempt');
  });
});

describe('procctl inspect explains a stopped process', { skip: ptyShellMissing() ?? false }, () => {
  /** Start a background job in an interactive shell on a pty; resolve with its pid once stopped. */
  async function stoppedJob(shell: PtyShell, line: string, tag: string): Promise<number> {
    shell.line(`${line} & echo "${tag}=$!"`);
    const [, pid] = await shell.waitFor(new RegExp(`${tag}=(\\d+)\\n`));
    await waitUntil(() => readStat(Number(pid)).state === 'T', 5000, `${line} to stop`);
    return Number(pid);
  }

  test('a background group reading or setting its terminal; a Ctrl-Z stop; the foreground group', { timeout: 60_000 }, async () => {
    const nap = uniqueSleep();
    const shell = new PtyShell();
    const pids: number[] = [];
    try {
      await shell.waitFor(/\$ $/);
      const reader = await stoppedJob(shell, "sh -c 'read x'", 'reader');
      const setter = await stoppedJob(shell, 'stty -echo', 'setter');
      pids.push(reader, setter);
      shell.line(`sleep ${nap}`);
      await waitUntil(() => sleepers(nap).length === 1, 5000, 'the foreground sleep');
      const [sleeper] = sleepers(nap);
      pids.push(sleeper!);
      shell.keys(CTRL_Z);
      await waitUntil(() => readStat(sleeper!).state === 'T', 5000, 'Ctrl-Z to stop the sleep');

      const shellGroup = readStat(readStat(reader).ppid).pgid;
      const read = await inspectJson(reader);
      assert.equal(read.stop?.cause, 'terminal-input');
      assert.match(read.stop!.explanation, /^stopped: background process group reading its terminal \(SIGTTIN\)/);
      assert.equal(read.foregroundGroup, shellGroup, 'the shell holds the terminal');
      assert.notEqual(read.foregroundGroup, read.pgid);
      const text = await runCli(['inspect', String(reader)]);
      assert.match(text.stdout, /stopped: background process group reading its terminal \(SIGTTIN\)/);
      assert.match(text.stdout, new RegExp(`terminal foreground group ${shellGroup} \\(its group ${read.pgid} is in the background\\)`));

      assert.equal((await inspectJson(setter)).stop?.cause, 'terminal-output');
      const stopped = await inspectJson(sleeper!);
      assert.equal(stopped.stop?.cause, 'signal');
      assert.match(stopped.stop!.explanation, /SIGTSTP/);
      // The shell itself: its group holds the terminal, it is not stopped.
      const own = await inspectJson(readStat(reader).ppid);
      assert.equal(own.foregroundGroup, own.pgid);
      assert.equal(own.stop, null);
      assert.match((await runCli(['inspect', String(own.pid)])).stdout, /terminal foreground group \d+ \(its own group: foreground\)/);
    } finally {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      killMarked(nap);
      await shell.close();
    }
  });
});
