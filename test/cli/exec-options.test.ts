// procctl exec options, observed from the command's own /proc entry: dispositions (SigIgn),
// mask (SigBlk), process group and session, open fds, cwd and environment.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, finishCli, readFileSyncSafe, runCli, tempDir } from '../helpers/cli.js';
import { listFds, maskOf, readStat } from '../helpers/proc.js';

const T = { timeout: 20_000 };
const SIGINT = 2;
const SIGUSR1 = 10;
const SIGTERM = 15;
const RTMIN_2 = 36;

/** Run grep on /proc/self/status in the command itself (no shell: a shell changes its own mask). */
const STATUS = ['grep', '-E', '^Sig(Ign|Blk):', '/proc/self/status'];

function field(stdout: string, name: 'SigIgn' | 'SigBlk'): bigint {
  const match = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(stdout);
  assert.ok(match, `no ${name} in ${stdout}`);
  return BigInt(`0x${match[1]}`);
}

/** Fields of the command's /proc/PID/stat: [pid, pgid, sid]. */
const IDS = ['sh', '-c', 'read -r pid comm state ppid pgid sid rest < /proc/$$/stat; echo $pid $pgid $sid'];

function ids(stdout: string): { pid: number; pgid: number; sid: number } {
  const [pid, pgid, sid] = stdout.trim().split(' ').map(Number);
  return { pid: pid ?? -1, pgid: pgid ?? -1, sid: sid ?? -1 };
}

describe('procctl exec signal options', () => {
  test('Node\'s SIGPIPE/SIGXFSZ ignore never reaches the command, even without --reset-signals', T, async () => {
    const r = await runCli(['exec', ...STATUS]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(field(r.stdout, 'SigIgn'), 0n);
    assert.equal(field(r.stdout, 'SigBlk'), 0n);
  });

  test('an inherited realtime SIG_IGN survives without --reset-signals and is cleared with it', T, async () => {
    // The outer procctl makes RTMIN+2 ignored for the inner one (Node leaves realtime signals alone).
    const outer = ['exec', '--ignore-signal', 'RTMIN+2', '--', process.execPath, CLI, 'exec'];
    const kept = await runCli([...outer, ...STATUS]);
    const reset = await runCli([...outer, '--reset-signals', ...STATUS]);
    const defaulted = await runCli([...outer, '--default-signal', 'rtmin+2', ...STATUS]);
    assert.equal(field(kept.stdout, 'SigIgn'), maskOf(RTMIN_2), kept.stderr);
    assert.equal(field(reset.stdout, 'SigIgn'), 0n, reset.stderr);
    assert.equal(field(defaulted.stdout, 'SigIgn'), 0n, defaulted.stderr);
  });

  test('--ignore-signal (repeatable, comma lists, any spelling)', T, async () => {
    const r = await runCli(['exec', '--ignore-signal', 'int,SIGTERM', '--ignore-signal', '10', ...STATUS]);
    assert.equal(field(r.stdout, 'SigIgn'), maskOf(SIGINT, SIGUSR1, SIGTERM), r.stderr);
  });

  test('--ignore-signal PIPE wins over the default correction', T, async () => {
    const r = await runCli(['exec', '--ignore-signal', 'PIPE', ...STATUS]);
    assert.equal(field(r.stdout, 'SigIgn'), maskOf(13), r.stderr);
  });

  test('--block-signal adds to the mask; with --reset-signals the mask is exactly the list', T, async () => {
    const plain = await runCli(['exec', '--block-signal', 'INT', '--block-signal', 'RTMIN+2', ...STATUS]);
    assert.equal(field(plain.stdout, 'SigBlk'), maskOf(SIGINT, RTMIN_2), plain.stderr);
    const outer = ['exec', '--block-signal', 'USR1', '--', process.execPath, CLI, 'exec'];
    // Node keeps an inherited mask; without --reset-signals the inner command keeps it too.
    const inherited = await runCli([...outer, '--block-signal', 'TERM', ...STATUS]);
    assert.equal(field(inherited.stdout, 'SigBlk') & maskOf(SIGTERM), maskOf(SIGTERM), inherited.stderr);
    const reset = await runCli([...outer, '--reset-signals', '--block-signal', 'TERM', ...STATUS]);
    assert.equal(field(reset.stdout, 'SigBlk'), maskOf(SIGTERM), reset.stderr);
    const empty = await runCli([...outer, '--reset-signals', ...STATUS]);
    assert.equal(field(empty.stdout, 'SigBlk'), 0n, empty.stderr);
  });
});

describe('procctl exec grouping', () => {
  test('by default the command stays in procctl\'s group', T, async () => {
    const r = await runCli(['exec', ...IDS]);
    const got = ids(r.stdout);
    assert.equal(got.pid, r.pid);
    assert.equal(got.pgid, readStat(process.pid).pgid, 'the test runner\'s group, which procctl inherited');
  });

  test('--new-group: same PID, leads its own group', T, async () => {
    const r = await runCli(['exec', '--new-group', ...IDS]);
    const got = ids(r.stdout);
    assert.equal(got.pid, r.pid);
    assert.equal(got.pgid, r.pid);
    assert.notEqual(got.sid, r.pid);
  });

  test('--new-session when procctl does not lead a group: same PID, setsid', T, async () => {
    const r = await runCli(['exec', '--new-session', ...IDS]);
    const got = ids(r.stdout);
    assert.equal(got.pid, r.pid);
    assert.equal(got.sid, r.pid);
    assert.equal(got.pgid, r.pid);
  });

  test('--new-session when procctl leads a group: forks once, waits, passes the status on', T, async () => {
    // detached: procctl is started with setsid, so it leads a group and setsid() would fail.
    const child = spawn(process.execPath, [CLI, 'exec', '--new-session', 'sh', '-c', `${IDS[2]}; exit 9`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const r = await finishCli(child);
    const got = ids(r.stdout);
    assert.equal(r.code, 9, r.stderr);
    assert.notEqual(got.pid, r.pid, 'a fork: the command has its own PID');
    assert.equal(got.sid, got.pid);
    assert.equal(got.pgid, got.pid);
  });

  test('--timeout: the command leads its own group, procctl is not in it', T, async () => {
    const r = await runCli(['exec', '--timeout', '10', ...IDS]);
    const got = ids(r.stdout);
    assert.notEqual(got.pid, r.pid);
    assert.equal(got.pgid, got.pid);
  });
});

/** This process's fds >= 3 without close-on-exec: every child started by node:child_process gets them. */
function inheritableFds(): number[] {
  return listFds().filter((fd) => {
    if (fd < 3) return false;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSyncSafe(`/proc/self/fdinfo/${fd}`))?.[1];
    return flags !== undefined && (Number.parseInt(flags, 8) & 0o2000000) === 0;
  });
}

describe('procctl exec fds, cwd, env', () => {
  /** The command lists its own fds (ls runs as a child of sh, so its directory fd is not in the list). */
  const FDS = ['sh', '-c', 'ls /proc/$$/fd'];
  const parseFds = (stdout: string): number[] => stdout.trim().split(/\s+/).map(Number).sort((a, b) => a - b);
  /** `ls -l` of the command's fds ('… 3 -> pipe:[123]'); ls is a child, so its own fds are not listed. */
  const FDS_WITH_TARGETS = ['sh', '-c', 'ls -l /proc/$$/fd'];
  /**
   * The fds listed by FDS_WITH_TARGETS, minus one not given whose target is /dev/null: Node 22 and
   * later open a /dev/null of their own at startup, which --keep-fds cannot tell from an
   * inherited one (known limitation, see README).
   */
  const withoutNodeDevNull = (stdout: string, given: number[]): number[] => stdout.trim().split('\n')
    .map((line) => / (\d+) -> (.*)$/.exec(line)?.slice(1) ?? [])
    .filter((pair) => pair.length === 2)
    .filter(([fd, target]) => given.includes(Number(fd)) || target !== '/dev/null' || Number(process.versions.node.split('.')[0]) < 22)
    .map(([fd]) => Number(fd)).sort((a, b) => a - b);

  test('inherited fds >= 3 are closed by default', T, async () => {
    const r = await runCli(['exec', ...FDS], { extraFds: ['pipe', 'pipe'] });
    assert.deepEqual(parseFds(r.stdout), [0, 1, 2], r.stderr);
  });

  test('--keep-fd N keeps fd N although Node marked it close-on-exec', T, async () => {
    const r = await runCli(['exec', '--keep-fd', '4', ...FDS], { extraFds: ['pipe', 'pipe'] });
    assert.deepEqual(parseFds(r.stdout), [0, 1, 2, 4], r.stderr);
    const timed = await runCli(['exec', '--timeout', '10', '--keep-fd', '3', '--keep-fd', '4', ...FDS], { extraFds: ['pipe', 'pipe'] });
    assert.deepEqual(parseFds(timed.stdout), [0, 1, 2, 3, 4], timed.stderr);
  });

  test('--keep-fds keeps every inherited fd', T, async () => {
    const r = await runCli(['exec', '--keep-fds', ...FDS_WITH_TARGETS], { extraFds: ['pipe', 'pipe'] });
    // Exactly what procctl was given: fds 0–4, plus any fd of this process without close-on-exec
    // (node:child_process passes those on too); none of Node's own event-loop fds.
    const given = [...new Set([0, 1, 2, 3, 4, ...inheritableFds()])].sort((a, b) => a - b);
    assert.deepEqual(withoutNodeDevNull(r.stdout, given), given, r.stderr);
    const timed = await runCli(['exec', '--timeout', '10', '--keep-fds', ...FDS_WITH_TARGETS], { extraFds: ['pipe', 'pipe'] });
    assert.deepEqual(withoutNodeDevNull(timed.stdout, given), given, timed.stderr);
  });

  test('--cwd runs the command there, and a relative command resolves against it', T, async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'where.sh'), '#!/bin/sh\npwd -P\n');
      chmodSync(join(dir.path, 'where.sh'), 0o755);
      const r = await runCli(['exec', '--cwd', dir.path, './where.sh']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), dir.path);
    } finally {
      dir.remove();
    }
  });

  test('--env sets and overrides variables (repeatable); PATH from --env is used for lookup', T, async () => {
    const r = await runCli(['exec', '--env', 'A=1', '--env', 'B=x=y', '--env', 'HOME=/nowhere', 'sh', '-c', 'echo "$A|$B|$HOME"'], {
      env: { ...process.env, HOME: '/home/x' },
    });
    assert.equal(r.stdout, '1|x=y|/nowhere\n', r.stderr);
    const noPath = await runCli(['exec', '--env', 'PATH=/nonexistent', 'sh', '-c', 'true']);
    assert.equal(noPath.code, 127);
  });
});
