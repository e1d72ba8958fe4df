// Procfile parsing, as foreman and goreman read it: one `name: command` per line; blank lines and
// lines starting with # are skipped. Names are letters, digits, _ and -. A malformed line is an
// error naming its line number (foreman skips them silently, which hides typos).
import { parseEnv } from 'node:util';

export interface ProcfileEntry {
  name: string;
  command: string;
}

const ENTRY = /^([A-Za-z0-9_-]+):\s*(.*?)\s*$/;

export function parseProcfile(text: string, source = 'Procfile'): ProcfileEntry[] {
  const entries: ProcfileEntry[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = ENTRY.exec(line);
    if (match === null || match[2] === '') {
      throw new SyntaxError(`${source}:${i + 1}: expected 'name: command', got ${JSON.stringify(raw)}`);
    }
    const name = match[1]!;
    if (seen.has(name)) throw new SyntaxError(`${source}:${i + 1}: duplicate entry ${JSON.stringify(name)}`);
    seen.add(name);
    entries.push({ name, command: match[2]! });
  });
  return entries;
}

/**
 * A .env file, parsed by node:util parseEnv (the parser of Node's own --env-file): KEY=VALUE lines,
 * # comments (also after an unquoted value), single, double or backtick quotes, values over
 * several lines inside double quotes, an optional `export ` before the key.
 */
export function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(text))) if (value !== undefined) env[name] = value;
  return env;
}

/**
 * A formation as foreman takes it: `web=2,worker=1`, `all=1` for every entry not named. Counts are
 * whole numbers from 0 (run none) to 100.
 */
export function parseFormation(text: string): Map<string, number> {
  const formation = new Map<string, number>();
  for (const item of text.split(',')) {
    const match = /^\s*([A-Za-z0-9_-]+)\s*=\s*(\d{1,3})\s*$/.exec(item);
    if (match === null || Number(match[2]) > 100) {
      throw new SyntaxError(`--formation: expected NAME=COUNT[,NAME=COUNT...] with COUNT from 0 to 100, such as web=2,worker=1; got '${text}'`);
    }
    formation.set(match[1]!, Number(match[2]));
  }
  return formation;
}
