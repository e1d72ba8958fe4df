// Find the command before running it, so that procctl can answer 127 (not found) or 126 (found but
// not executable) with a one-line reason, as env(1) and timeout(1) do. The exec itself still walks
// the same candidates; this check only decides the status and the message when it cannot succeed.
import { accessSync, constants, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_PATH, pathCandidates } from '../spawn/command.js';
import { OWN_FAILURE_STATUS } from './status.js';

export type Lookup = { found: true; candidates: string[] } | { found: false; status: ReturnType<typeof execErrorStatus>; message: string };

export const NOT_EXECUTABLE = 126;
export const NOT_FOUND = 127;

/**
 * What execve would fail with for this candidate, as an errno name; null when it can run. No stat:
 * Node's first statSync costs more than the rest of the lookup, and existsSync throws nothing for
 * the usual "not in this PATH directory".
 */
function probe(path: string): 'ENOENT' | 'EACCES' | null {
  if (!existsSync(path)) return 'ENOENT';
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return 'EACCES';
  }
  // Directories pass X_OK (search permission) but cannot be executed; "DIR/." exists only for one.
  return existsSync(`${path}/.`) ? 'EACCES' : null;
}

/** The candidates execve will try along PATH, and whether any of them can run (as execvp decides it). */
export function lookUpCommand(file: string, path: string | undefined, cwd: string | null): Lookup {
  const candidates = pathCandidates(file, path ?? DEFAULT_PATH);
  // As execvp: the first error that is not "not found" is the one reported.
  let reported: 'ENOENT' | 'EACCES' = 'ENOENT';
  for (const candidate of candidates) {
    const error = probe(resolve(cwd ?? process.cwd(), candidate));
    if (error === null) return { found: true, candidates };
    if (reported === 'ENOENT') reported = error;
  }
  const status = execErrorStatus(reported);
  if (status === NOT_EXECUTABLE) return { found: false, status, message: `${file}: permission denied (found but not executable)` };
  return { found: false, status, message: file.includes('/') ? `${file}: no such file` : `${file}: command not found` };
}

/**
 * The one exec-failure mapping of the TypeScript side (procctl-init's C copy, exec_status, is in
 * native/init/exec-status.h): 127 when the file was not found (ENOENT, ENOTDIR), 126 for any other
 * exec error.
 */
export function execErrorStatus(code: string): typeof NOT_FOUND | typeof NOT_EXECUTABLE {
  return code === 'ENOENT' || code === 'ENOTDIR' ? NOT_FOUND : NOT_EXECUTABLE;
}

/** Status for a failure the native layer reported after the lookup passed (a race, ENOEXEC, a setup step: 125). */
export function execFailureStatus(stage: string, code: string): number {
  return stage === 'exec' ? execErrorStatus(code) : OWN_FAILURE_STATUS;
}
