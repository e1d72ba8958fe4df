// Find the command before running it, so that procctl can answer 127 (not found) or 126 (found but
// not executable) with a one-line reason, as env(1) and timeout(1) do. The exec itself still walks
// the same candidates; this check only decides the status and the message when it cannot succeed.
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_PATH, pathCandidates } from '../path-search.js';

export type Lookup = { found: true; candidates: string[] } | { found: false; status: 126 | 127; message: string };

export const NOT_EXECUTABLE = 126;
export const NOT_FOUND = 127;

function probe(path: string): 'ok' | 'missing' | 'denied' {
  try {
    // Directories pass X_OK (search permission) but cannot be executed.
    if (!statSync(path).isFile()) return 'denied';
  } catch {
    return 'missing';
  }
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'denied';
  }
}

/** The candidates execve will try, and whether any of them can run (as execvp decides it). */
export function lookUpCommand(file: string, env: Record<string, string>, cwd: string | null): Lookup {
  const candidates = pathCandidates(file, env.PATH ?? DEFAULT_PATH);
  let denied = false;
  for (const candidate of candidates) {
    const result = probe(resolve(cwd ?? process.cwd(), candidate));
    if (result === 'ok') return { found: true, candidates };
    if (result === 'denied') denied = true;
  }
  if (denied) return { found: false, status: NOT_EXECUTABLE, message: `${file}: permission denied (found but not executable)` };
  return { found: false, status: NOT_FOUND, message: file.includes('/') ? `${file}: no such file` : `${file}: command not found` };
}

/** Status for an exec failure the native layer reported after the lookup passed (a race, ENOEXEC). */
export function execFailureStatus(stage: string, code: string): number {
  if (stage !== 'exec') return 125;
  return code === 'ENOENT' || code === 'ENOTDIR' ? NOT_FOUND : NOT_EXECUTABLE;
}
