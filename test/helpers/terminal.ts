// An interactive shell on a real pseudo-terminal, for tests of what a user sees at a terminal:
// script(1) from util-linux allocates the pty and runs `bash -i` on it (job control on), the test
// types into script's stdin (keys such as Ctrl-Z are their control bytes) and reads the screen
// from its stdout. script stays a child of the test (no daemon, nothing orphaned); close() ends
// the shell and, after a bound, kills script.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export const CTRL_C = '\x03';
export const CTRL_Z = '\x1a';
export const CTRL_BACKSLASH = '\x1c';

/** Why a pty shell cannot run here, or null when it can. */
export function ptyShellMissing(): string | null {
  if (spawnSync('script', ['--version']).status !== 0) return 'script(1) from util-linux is not installed (needed for a pseudo-terminal)';
  if (spawnSync('bash', ['--version']).status !== 0) return 'bash is not installed (needed for an interactive job-control shell)';
  return null;
}

export class PtyShell {
  readonly #script: ChildProcess;
  #screen = '';
  readonly #closed: Promise<void>;

  constructor() {
    // --norc/--noprofile and a fixed prompt: the screen holds only what the test typed and got.
    // (script runs the command through $SHELL -c, which may set its own PS1: pass it with env.)
    this.#script = spawn('script', ['-qfec', "env PS1='$ ' bash --norc --noprofile -i", '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'dumb', HISTFILE: '/dev/null' },
    });
    this.#script.stdout!.setEncoding('utf8').on('data', (text: string) => (this.#screen += text));
    this.#script.stdin!.on('error', () => undefined);
    this.#closed = new Promise((resolve) => this.#script.on('close', () => resolve()));
  }

  /** Everything the terminal showed so far, without bracketed-paste markers and carriage returns. */
  get screen(): string {
    // eslint-disable-next-line no-control-regex
    return this.#screen.replace(/\x1b\[\?2004[hl]/g, '').replace(/\r/g, '');
  }

  /** Type a line and press Enter. */
  line(text: string): void {
    this.#script.stdin!.write(`${text}\r`);
  }

  /** Press keys (control bytes such as CTRL_Z). */
  keys(bytes: string): void {
    this.#script.stdin!.write(bytes);
  }

  /** Wait until the screen matches; returns the match. Fails with the screen after ms. */
  async waitFor(pattern: RegExp, ms = 10_000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    for (;;) {
      const match = pattern.exec(this.screen);
      if (match !== null) return match;
      if (Date.now() > end) throw new Error(`terminal never showed ${pattern} within ${ms} ms; screen:\n${this.screen}`);
      await sleep(20);
    }
  }

  /** End the shell (exit, then SIGHUP/SIGKILL to script if it lingers). */
  async close(): Promise<void> {
    this.line('exit');
    const timer = setTimeout(() => this.#script.kill('SIGKILL'), 3000);
    await this.#closed;
    clearTimeout(timer);
  }
}
