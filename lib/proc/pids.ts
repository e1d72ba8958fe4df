// Every process visible in /proc (thread-group ids only: /proc lists threads under task/).
import { readdirSync } from 'node:fs';

export function listPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const first = name.charCodeAt(0);
    if (first >= 48 && first <= 57) out.push(Number(name));
  }
  return out.sort((a, b) => a - b);
}
