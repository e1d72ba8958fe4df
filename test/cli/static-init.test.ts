// procctl-init on its own: with no C library at all (a root directory holding only it and
// Debian's busybox-static), and with a signal already pending when it starts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateInit } from '../../lib/init-binary.js';
import { spawn as procctlSpawn } from '../../lib/spawn/spawn.js';
import { killMarked, sleepers, uniqueSleep } from '../helpers/cli.js';
import { childrenOf, isRoot, waitUntil, withDeadline } from '../helpers/proc.js';

const BUSYBOX = '/bin/busybox';

/** An ELF executable without a PT_INTERP program header needs no dynamic loader. */
function isStaticElf(path: string): boolean {
  const elf = readFileSync(path);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false; // 64-bit ELF only
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

function chrootWorks(): string | null {
  if (locateInit() === null) return 'procctl-init is not built';
  if (!isRoot) return 'needs root for unshare and chroot';
  if (!existsSync(BUSYBOX) || !isStaticElf(BUSYBOX)) return `${BUSYBOX} is not a static busybox (Debian: busybox-static)`;
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { timeout: 10_000 });
  return probe.status === 0 ? null : `unshare --pid --fork --mount-proc failed: ${String(probe.stderr ?? probe.error)}`;
}

/**
 * A root holding only /procctl-init, /bin/busybox, an empty /proc to mount and /dev/null (busybox
 * sh opens it as the stdin of a background job).
 */
function makeRoot(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'procctl-chroot-'));
  for (const dir of ['bin', 'proc', 'dev']) mkdirSync(join(path, dir));
  spawnSync('mknod', ['-m', '666', join(path, 'dev', 'null'), 'c', '1', '3']);
  copyFileSync(locateInit()!, join(path, 'procctl-init'));
  copyFileSync(BUSYBOX, join(path, 'bin', 'busybox'));
  spawnSync('chmod', ['755', join(path, 'procctl-init'), join(path, 'bin', 'busybox')]);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** unshare a PID namespace (proc mounted in the root), chroot, and run procctl-init as PID 1. */
function inChroot(root: string, script: string) {
  const args = ['--pid', '--fork', `--mount-proc=${join(root, 'proc')}`, 'chroot', root, '/procctl-init', '--', '/bin/busybox', 'sh', '-c', script];
  return spawn('unshare', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function exitCode(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('procctl-init with no C library (busybox-static chroot)', { timeout: 60_000 }, () => {
  test("init -- /bin/busybox sh -c 'exit 3' exits 3", async (t) => {
    const why = chrootWorks();
    if (why !== null) return t.skip(why);
    const root = makeRoot();
    const child = inChroot(root.path, 'exit 3');
    try {
      assert.equal(await withDeadline(exitCode(child), 15_000, 'exit'), 3);
    } finally {
      child.kill('SIGKILL');
      root.remove();
    }
  });

  test("a TERM to it reaches the shell's whole group", async (t) => {
    const why = chrootWorks();
    if (why !== null) return t.skip(why);
    const root = makeRoot();
    // The shell and two background shells of its group; each reports the TERM it gets.
    const member = (name: string) => `/bin/busybox sh -c 'trap "echo ${name} got TERM; exit 0" TERM; echo ${name} ready; while :; do /bin/busybox sleep 0.05; done' &`;
    const child = inChroot(root.path, `trap "echo shell got TERM; exit 7" TERM; ${member('A')} ${member('B')} wait`);
    const exited = exitCode(child);
    // Listened for at once: 'close' may follow 'exit' in the same tick, before an await resumes.
    const closed = new Promise((resolve) => child.on('close', resolve));
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitUntil(() => output.includes('A ready') && output.includes('B ready'), 10_000, 'both members');
      const [init] = childrenOf(child.pid!);
      process.kill(init!, 'SIGTERM');
      assert.equal(await withDeadline(exited, 15_000, 'exit'), 7, `the shell got TERM: ${output}`);
      await withDeadline(closed, 5_000, 'close');
      for (const name of ['shell', 'A', 'B']) assert.match(output, new RegExp(`${name} got TERM`), output);
    } finally {
      child.kill('SIGKILL');
      root.remove();
    }
  });
});

describe('procctl-init started with a signal pending', { timeout: 30_000 }, () => {
  test('a TERM sent before its first instruction (blocked by its parent) reaches the command', async (t) => {
    const binary = locateInit();
    if (binary === null) return t.skip('procctl-init is not built');
    const nap = uniqueSleep();
    // Started with TERM blocked, as `procctl init` starts it (and, as it does, an empty mask for
    // the command): the TERM sent at once waits for it.
    const init = procctlSpawn(binary, ['-m', '0', '--', 'sleep', nap], { blockSignals: ['SIGTERM'], stdio: 'ignore' });
    init.kill('SIGTERM');
    try {
      const exit = await withDeadline(init.exited, 10_000, 'init exit');
      assert.equal(exit.code, 143, 'the command died of the TERM; init reports 128+15');
      assert.deepEqual(sleepers(nap), []);
    } finally {
      init.kill('SIGKILL');
      killMarked(nap);
    }
  });
});
