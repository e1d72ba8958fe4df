// procctl exec --timeout at a real terminal, driven through an interactive bash on a pty: the
// command's group gets the terminal (it reads typed input, Ctrl-C reaches it), Ctrl-Z stops the
// whole job and fg/bg resume it, the deadline still empties the group, and the terminal settings
// are the same afterwards. With stdin from a pipe nothing of this happens.
import { spawnSync } from 'node:child_process';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CLI, killMarked, uniqueSleep } from '../helpers/cli.js';
import { findByCmdline, readStat, waitUntil } from '../helpers/proc.js';
import { CTRL_BACKSLASH, CTRL_C, CTRL_Z, PtyShell, ptyShellMissing } from '../helpers/terminal.js';

const T = { timeout: 60_000 };
const PROCCTL = `${process.execPath} ${CLI}`;

/** The live processes whose command line holds marker: procctl and the command's shell. */
interface Job {
  procctl: number;
  command: number;
}

/** Names the command has: `sh -c … MARKER` (its $0), or `sleep MARKER` once that shell exec'd. */
const COMMAND_NAMES = new Set(['sh', 'sleep']);

/** procctl is the node process; the command is the other process whose argv holds marker. */
function findJob(marker: string): Job | undefined {
  const pids = findByCmdline(marker);
  const procctl = pids.find((pid) => !COMMAND_NAMES.has(readStat(pid).comm));
  const command = pids.find((pid) => COMMAND_NAMES.has(readStat(pid).comm));
  return procctl === undefined || command === undefined ? undefined : { procctl, command };
}

async function waitForJob(marker: string): Promise<Job> {
  let job: Job | undefined;
  await waitUntil(() => (job = findJob(marker)) !== undefined, 10_000, `procctl and its command (${marker})`);
  return job!;
}

function states(job: Job): string {
  return `${readStat(job.procctl).state}${readStat(job.command).state}`;
}

/** The terminal's foreground group is the command's own group. */
function commandHasTerminal(job: Job): boolean {
  const stat = readStat(job.command);
  return stat.tpgid === stat.pgid;
}

/** Run body with a fresh shell; afterwards kill whatever still carries the markers. */
async function withShell(markers: string[], body: (shell: PtyShell) => Promise<void>): Promise<void> {
  const shell = new PtyShell();
  try {
    await shell.waitFor(/\$ $/);
    await body(shell);
  } finally {
    killMarked(...markers);
    await shell.close();
  }
}

/** Print stty -g tagged, so the settings before and after can be compared. */
function sttyLine(tag: string): string {
  return `echo "${tag}=[$(stty -g)]"`;
}

describe('procctl exec --timeout on a terminal', { skip: ptyShellMissing() ?? false }, () => {
  test('the command reads typed input; the terminal settings are the same afterwards', T, async () => {
    const marker = `term-read-${uniqueSleep()}`;
    await withShell([marker], async (shell) => {
      shell.line(sttyLine('before'));
      shell.line(`${PROCCTL} exec --timeout 30 -- sh -c 'read x; echo "got:$x"' ${marker}; echo "status=$?"`);
      const job = await waitForJob(marker);
      await waitUntil(() => commandHasTerminal(job), 5000, 'the command\'s group to get the terminal');
      assert.notEqual(readStat(job.command).pgid, readStat(job.procctl).pgid, 'the command leads its own group');
      shell.line('typed by hand');
      await shell.waitFor(/got:typed by hand\nstatus=0\n/);
      shell.line(sttyLine('after'));
      const [, before] = await shell.waitFor(/before=\[([0-9a-f:]+)\]/);
      const [, after] = await shell.waitFor(/after=\[([0-9a-f:]+)\]/);
      assert.equal(after, before);
      assert.deepEqual(findByCmdline(marker), []);
    });
  });

  test('Ctrl-Z stops procctl and the command; fg resumes both; Ctrl-C then ends the job with 130', T, async () => {
    // The command execs into `sleep MARKER`: a single process, so a stop is never caught in
    // dash's vfork window (a vfork child stopped before its exec keeps the shell from stopping).
    const marker = uniqueSleep();
    await withShell([marker], async (shell) => {
      shell.line(sttyLine('before'));
      shell.line(`${PROCCTL} exec --timeout 30 -- sh -c 'echo ready; exec sleep ${marker}'`);
      await shell.waitFor(/ready\n/);
      const job = await waitForJob(marker);
      await waitUntil(() => commandHasTerminal(job), 5000, 'the command\'s group to get the terminal');
      shell.keys(CTRL_Z);
      await shell.waitFor(/Stopped/);
      await waitUntil(() => states(job) === 'TT', 5000, `both stopped (states ${states(job)})`);
      assert.ok(!commandHasTerminal(job), 'the shell has the terminal back');
      shell.line('fg; echo "fg-status=$?"');
      await waitUntil(() => !states(job).includes('T') && commandHasTerminal(job), 5000, `both running, command in the foreground (states ${states(job)})`);
      shell.keys(CTRL_C);
      await shell.waitFor(/fg-status=130\n/);
      shell.line(sttyLine('after'));
      const [, before] = await shell.waitFor(/before=\[([0-9a-f:]+)\]/);
      const [, after] = await shell.waitFor(/after=\[([0-9a-f:]+)\]/);
      assert.equal(after, before);
      assert.deepEqual(findByCmdline(marker), [], 'nothing left');
    });
  });

  test('Ctrl-\\ reaches the command\'s group directly: the job ends with 131', T, async () => {
    const marker = uniqueSleep();
    await withShell([marker], async (shell) => {
      shell.line(`${PROCCTL} exec --timeout 30 -- sh -c 'echo ready; exec sleep ${marker}'; echo "status=$?"`);
      await shell.waitFor(/ready\n/);
      const job = await waitForJob(marker);
      await waitUntil(() => commandHasTerminal(job), 5000, 'the command\'s group to get the terminal');
      shell.keys(CTRL_BACKSLASH);
      await shell.waitFor(/status=131\n/);
      assert.deepEqual(findByCmdline(marker), [], 'nothing left');
    });
  });

  test('bg runs the stopped job on without the terminal', T, async () => {
    const marker = uniqueSleep();
    await withShell([marker], async (shell) => {
      shell.line(`${PROCCTL} exec --timeout 30 -- sh -c 'echo ready; exec sleep ${marker}'`);
      await shell.waitFor(/ready\n/);
      const job = await waitForJob(marker);
      await waitUntil(() => commandHasTerminal(job), 5000, 'the command\'s group to get the terminal');
      shell.keys(CTRL_Z);
      await shell.waitFor(/Stopped/);
      await waitUntil(() => states(job) === 'TT', 5000, `both stopped (states ${states(job)})`);
      shell.line('bg');
      await waitUntil(() => !states(job).includes('T'), 5000, `both running (states ${states(job)})`);
      // Still running a while later: nothing stopped it again (no read of the terminal).
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(!states(job).includes('T'), `states ${states(job)}`);
      assert.ok(!commandHasTerminal(job), 'in the background the shell keeps the terminal');
      shell.line('kill %1; wait %1; echo "bg-status=$?"');
      await shell.waitFor(/bg-status=143\n/);
      assert.deepEqual(findByCmdline(marker), [], 'nothing left');
    });
  });

  test('the deadline still empties the whole group; the terminal settings are the same afterwards', T, async () => {
    const marker = `term-deadline-${uniqueSleep()}`;
    const nap = uniqueSleep();
    await withShell([marker, nap], async (shell) => {
      shell.line(sttyLine('before'));
      // The command sets its own terminal modes and leaves a member behind that reads too.
      shell.line(`${PROCCTL} exec --timeout 1 -- sh -c 'stty -echo; sleep ${nap} & read x' ${marker}; echo "status=$?"`);
      await shell.waitFor(/status=124\n/);
      assert.deepEqual(findByCmdline(nap), [], 'the member is gone too');
      assert.deepEqual(findByCmdline(marker), []);
      shell.line(sttyLine('after'));
      const [, before] = await shell.waitFor(/before=\[([0-9a-f:]+)\]/);
      const [, after] = await shell.waitFor(/after=\[([0-9a-f:]+)\]/);
      assert.equal(after, before);
    });
  });

  test('procctl takes the terminal back before it exits (no job-control shell above it to do so)', T, () => {
    // sh -c without job control never touches the terminal: whoever holds it afterwards got it
    // from procctl. pgid and tpgid are fields 5 and 8 of /proc/PID/stat.
    const marker = `term-back-${uniqueSleep()}`;
    const fg = 'read -r _ _ _ _ pgid _ _ tpgid _ < /proc/$$/stat; [ "$pgid" = "$tpgid" ] && echo yes || echo no';
    const inner = `${PROCCTL} exec --timeout 0.5 -- sh -c 'echo "command-fg=$(${fg.replace(/\$\$/g, '$$$$')})"; sleep 30' ${marker}; echo "status=$?"; ${fg.replace(/^/, 'echo "after-fg=$(').replace(/$/, ')"')}`;
    try {
      const result = spawnSync('script', ['-qec', inner, '/dev/null'], { encoding: 'utf8', timeout: 20_000 });
      const screen = result.stdout.replace(/\r/g, '');
      assert.match(screen, /command-fg=yes\n/, screen);
      assert.match(screen, /status=124\nafter-fg=yes\n/, screen);
    } finally {
      killMarked(marker);
    }
  });

  test('a job stopped past its deadline is stopped the moment it is continued', T, async () => {
    const marker = uniqueSleep();
    await withShell([marker], async (shell) => {
      shell.line(`${PROCCTL} exec --timeout 1 -- sh -c 'echo ready; exec sleep ${marker}'`);
      await shell.waitFor(/ready\n/);
      const job = await waitForJob(marker);
      shell.keys(CTRL_Z);
      await shell.waitFor(/Stopped/);
      await waitUntil(() => states(job) === 'TT', 5000, `both stopped (states ${states(job)})`);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(states(job), 'TT', 'a stopped job stays stopped past its deadline');
      shell.line('fg; echo "fg-status=$?"');
      await shell.waitFor(/fg-status=124\n/);
      assert.deepEqual(findByCmdline(marker), [], 'nothing left');
    });
  });

  test('with stdin from a pipe the command does not get the terminal (as without one)', T, async () => {
    const marker = `term-pipe-${uniqueSleep()}`;
    await withShell([marker], async (shell) => {
      const probe = 'read x; read -r _ _ _ _ pgid _ _ tpgid _ < /proc/$$/stat; echo "got:$x fg:$([ "$pgid" = "$tpgid" ] && echo yes || echo no)"';
      shell.line(`echo piped | ${PROCCTL} exec --timeout 30 -- sh -c '${probe}' ${marker}; echo "status=$?"`);
      await shell.waitFor(/got:piped fg:no\nstatus=0\n/);
      assert.deepEqual(findByCmdline(marker), []);
    });
  });
});
