// What runs and where: file and args, argv0, cwd, env and preferLocal checked, and PATH resolution.
//
// PATH resolution is done in the parent before the clone: the child only walks a ready list of
// candidates with execve, as execvp would, without touching the environment or allocating.
//
// No stat() here: the child's execve over each candidate is the real test (a file can appear,
// vanish or change mode between a stat and the exec), and the native layer reports the first error
// that is not ENOENT/ENOTDIR, as execvp does (so EACCES beats "not found").
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { checkCString, echo, typeError } from '../validate.js';
import { packageRequire } from '../package-root.cjs';

let mainThread: boolean | undefined;

/**
 * worker_threads' isMainThread, loaded on the first spawn that asks: importing node:worker_threads
 * loads Node's worker and stream internals (a few ms), which `procctl exec` would pay at start-up
 * for a module it never uses.
 */
function isMainThread(): boolean {
  mainThread ??= (packageRequire('node:worker_threads') as typeof import('node:worker_threads')).isMainThread;
  return mainThread;
}

/** Used when the environment has no PATH at all (glibc's execvp default, plus /usr/local/bin). */
export const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * Executable paths to try, in order. A file containing '/' is used as given (relative to the
 * child's cwd, as execve resolves it). Otherwise every PATH entry is joined with it; an empty entry
 * means the current directory, as POSIX specifies.
 */
export function pathCandidates(file: string, searchPath: string = DEFAULT_PATH): string[] {
  if (file.includes('/')) return [file];
  const seen = new Set<string>();
  for (const dir of searchPath.split(':')) {
    const candidate = dir === '' ? `./${file}` : dir.endsWith('/') ? `${dir}${file}` : `${dir}/${file}`;
    seen.add(candidate);
  }
  return [...seen];
}

/** file and args: strings without NUL; file not empty. */
export function validateCommand(file: unknown, args: unknown): { file: string; args: string[] } {
  checkCString(file, 'file');
  if (file === '') throw typeError('file', 'a non-empty string', file);
  if (args === undefined || args === null) return { file: file as string, args: [] };
  if (!Array.isArray(args)) throw typeError('args', 'an array of strings', args);
  // By index, not map(): map() skips the holes of a sparse array ([, 'a']) and keeps them as holes.
  const checked: string[] = [];
  for (let i = 0; i < args.length; i++) checked.push(checkCString(args[i], `args[${i}]`));
  return { file: file as string, args: checked };
}

export function validateCwd(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw typeError('cwd', 'a path string or a file: URL', value.href);
    return checkCString(fileURLToPath(value), 'cwd');
  }
  const cwd = checkCString(value, 'cwd', 'a path string or a file: URL');
  if (cwd === '') throw typeError('cwd', 'a non-empty path', value);
  return cwd;
}

/**
 * env: the child's whole environment as 'NAME=value' entries (undefined values are dropped).
 * Without `env`, the main thread passes null: the native side then hands the C library's environ
 * to execve, which Node keeps in sync with process.env there, instead of copying every variable
 * on every spawn. A worker's process.env is its own copy, so workers always pass entries.
 */
export function validateEnv(value: unknown): { envp: string[] | null; path: string | undefined } {
  if (value === undefined || value === null) {
    return { envp: isMainThread() ? null : environToEnvp(process.env), path: process.env.PATH };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw typeError('env', 'an object of NAME: value strings', value);
  }
  const envp: string[] = [];
  let path: string | undefined;
  for (const [name, raw] of Object.entries(value)) {
    if (raw === undefined) continue;
    if (name === '' || name.includes('=') || name.includes('\0')) {
      throw typeError(`env name ${echo(name)}`, 'a non-empty name without "=" or NUL bytes', name);
    }
    if (typeof raw !== 'string') throw typeError(`env.${name}`, 'a string', raw);
    checkCString(raw, `env.${name}`);
    if (name === 'PATH') path = raw;
    envp.push(`${name}=${raw}`);
  }
  return { envp, path };
}

function environToEnvp(env: NodeJS.ProcessEnv): string[] {
  const envp: string[] = [];
  for (const name of Object.keys(env)) {
    const raw = env[name];
    if (raw !== undefined) envp.push(`${name}=${raw}`);
  }
  return envp;
}

export function validateArgv0(value: unknown, file: string): string {
  if (value === undefined) return file;
  return checkCString(value, 'argv0');
}

/** node_modules/.bin of dir and of every directory above it, nearest first. */
function localBinDirs(dir: string): string[] {
  const dirs: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    dirs.push(join(at, 'node_modules', '.bin'));
    if (dirname(at) === at) return dirs;
  }
}

/**
 * preferLocal: the local bin directories go in front of PATH, both where `file` is searched and in
 * the child's environment (so a script it runs finds them too).
 */
export function preferLocalPath(
  env: { envp: string[] | null; path: string | undefined },
  cwd: string | null,
): { envp: string[]; path: string } {
  const path = [...localBinDirs(cwd ?? process.cwd()), env.path ?? DEFAULT_PATH].join(':');
  const envp = (env.envp ?? environToEnvp(process.env)).filter((entry) => !entry.startsWith('PATH='));
  envp.push(`PATH=${path}`);
  return { envp, path };
}
