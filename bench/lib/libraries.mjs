// One adapter per library under test. Each adapter offers the operations a scenario needs, with
// the same child setup everywhere (stdio to /dev/null unless output is captured, absolute paths,
// the parent's environment), so that rows differ only by the library:
//
//   spawnWait(file, args)  start a child; returns a Promise settled when its exit is known
//   exitTime(file, args)   like spawnWait, resolving with process.hrtime.bigint() taken in the
//                          library's exit callback (for exit-notification latency)
//   exec(file, args)       run with captured output; resolves with stdout as a string
//   idle(file, args)       start a child in a group of its own; returns {pid, exited, killGroup}
//
// An operation a library does not have is simply absent. procctl is loaded from dist/; when it
// is not built yet its rows say so instead of failing the run.
import childProcess from 'node:child_process';
import { openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errorLine } from './format.mjs';

const distLib = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'lib');
const execFileAsync = promisify(childProcess.execFile);

let devNull;
/** One fd on /dev/null, opened once, for adapters that take raw fds. */
function devNullFd() {
  devNull ??= openSync('/dev/null', 'r+');
  return devNull;
}

/** A Promise settled by a ChildProcess's 'exit' (with the stamp taken there) or 'error'. */
function exitOf(child) {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(process.hrtime.bigint()));
  });
}

function childProcessAdapter() {
  const spawnIgnored = (file, args, extra) => childProcess.spawn(file, args, { stdio: 'ignore', ...extra });
  return {
    labels: { exec: 'child_process.execFile' },
    spawnWait: (file, args) => exitOf(spawnIgnored(file, args)),
    exitTime: (file, args) => exitOf(spawnIgnored(file, args)),
    exec: async (file, args) => (await execFileAsync(file, args)).stdout,
    idle(file, args) {
      // detached: setsid, so the child leads a group that process.kill(-pid) can signal.
      const child = spawnIgnored(file, args, { detached: true });
      return { pid: child.pid, exited: exitOf(child), killGroup: (sig) => process.kill(-child.pid, sig) };
    },
  };
}

function spawnSyncAdapter() {
  return {
    // Blocks the thread for the whole run of the child: it has no "in flight".
    blocking: true,
    spawnWait(file, args) {
      const r = childProcess.spawnSync(file, args, { stdio: 'ignore' });
      return r.error ? Promise.reject(r.error) : Promise.resolve();
    },
  };
}

async function execaAdapter() {
  const { execa } = await import('execa');
  return {
    spawnWait: (file, args) => execa(file, args, { stdio: 'ignore' }),
    exec: async (file, args) => (await execa(file, args)).stdout,
  };
}

async function tinyexecAdapter() {
  const { x } = await import('tinyexec');
  return {
    spawnWait: (file, args) => x(file, args, { throwOnError: true, nodeOptions: { stdio: 'ignore' } }),
    exec: async (file, args) => (await x(file, args, { throwOnError: true })).stdout,
  };
}

async function nanoSpawnAdapter() {
  const { default: spawn } = await import('nano-spawn');
  return {
    spawnWait: (file, args) => spawn(file, args, { stdio: 'ignore' }),
    exec: async (file, args) => (await spawn(file, args)).stdout,
  };
}

/** Import a module of dist/lib, or null when procctl has not been built. */
async function importDist(name) {
  try {
    return await import(pathToFileURL(join(distLib, name)).href);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}

async function procctlAdapter() {
  const procctl = await importDist('index.js');
  if (!procctl?.spawn) return null;
  const stdio = ['ignore', 'ignore', 'ignore'];
  const adapter = {
    spawnWait: (file, args) => procctl.spawn(file, args, { stdio }).exited,
    exitTime: (file, args) => procctl.spawn(file, args, { stdio }).exited.then(() => process.hrtime.bigint()),
    idle(file, args) {
      const child = procctl.spawn(file, args, { stdio });
      return { pid: child.pid, exited: child.exited, killGroup: (sig) => child.killGroup(sig) };
    },
  };
  if (procctl.exec) adapter.exec = async (file, args) => (await procctl.exec(file, args)).stdout;
  return adapter;
}

/**
 * The raw addon with the request the public spawn() builds for stdio 'ignore' and default
 * options, prepared once (environment included) and observed without WNOWAIT (nothing to reap
 * afterwards): the cost floor under the TypeScript layer.
 */
async function procctlNativeAdapter() {
  const mod = await importDist('native.js');
  if (!mod) return null;
  const binding = mod.native();
  const envp = Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
  const request = (file, args) => ({
    file, candidates: [file], argv: [file, ...args], envp, cwd: null,
    fds: [devNullFd(), devNullFd(), devNullFd()], closeFds: true, resetSignals: true,
    defaultSignals: [], ignoreSignals: [], mask: [], pgid: 0, setsid: false,
    uid: -1, gid: -1, groups: null, umask: -1, rlimits: [], deathSignal: 0, noNewPrivs: false, cgroup: null,
  });
  const start = (file, args) => new Promise((resolve) => {
    binding.spawn(request(file, args), () => resolve(process.hrtime.bigint()), false);
  });
  return { spawnWait: start, exitTime: start };
}

/** Libraries in report order: name → loader (null result: not available, with the reason). */
export const LIBRARIES = [
  ['procctl', procctlAdapter, 'dist/lib/index.js not built'],
  ['procctl (native)', procctlNativeAdapter, 'dist/lib/native.js or the addon not built'],
  ['child_process.spawn', async () => childProcessAdapter()],
  ['child_process.spawnSync', async () => spawnSyncAdapter()],
  ['execa', execaAdapter],
  ['tinyexec', tinyexecAdapter],
  ['nano-spawn', nanoSpawnAdapter],
];

/**
 * Load the adapters that offer `operation`. Returns [{name, adapter}] plus [{name, reason}] for
 * the libraries that could not be loaded.
 */
export async function loadLibraries(operation, only = null) {
  const loaded = [];
  const missing = [];
  for (const [name, load, why] of LIBRARIES) {
    if (only && !only.includes(name)) continue;
    let adapter = null;
    let reason = why;
    try {
      adapter = await load();
    } catch (error) {
      reason = `failed to load: ${errorLine(error)}`;
    }
    if (adapter === null) missing.push({ name, reason });
    else if (adapter[operation]) loaded.push({ name: adapter.labels?.[operation] ?? name, adapter });
  }
  return { loaded, missing };
}
