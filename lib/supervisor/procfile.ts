// Procfile parsing, as foreman and goreman read it: one `name: command` per line; blank lines and
// lines starting with # are skipped. Names are letters, digits, _ and -. A malformed line is an
// error naming its line number (foreman skips them silently, which hides typos).

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
 * A .env file (KEY=VALUE lines, # comments, optional single or double quotes, optional `export `),
 * as foreman loads next to the Procfile.
 */
export function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (line.startsWith('#') || match === null) continue;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    }
    env[match[1]!] = value;
  }
  return env;
}
