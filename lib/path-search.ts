// PATH resolution, done in the parent before the clone: the child only walks a ready list of
// candidates with execve, as execvp would, without touching the environment or allocating.
//
// No stat() here: the child's execve over each candidate is the real test (a file can appear,
// vanish or change mode between a stat and the exec), and the native layer reports the first error
// that is not ENOENT/ENOTDIR, as execvp does (so EACCES beats "not found").

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
