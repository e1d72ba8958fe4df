// procctl run: a Procfile runner on the Supervisor. Stopped by SIGINT/SIGTERM it leaves nothing
// behind, even when an entry's shell stays as the parent of its server; one entry ending stops
// the others and sets the exit status; output is line-prefixed; PORT is assigned as foreman does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finishCli, isOneErrorLine, runCli, sleepers, startCli, tempDir, uniqueSleep, killMarked } from '../helpers/cli.js';
import { findByCmdline, waitUntil } from '../helpers/proc.js';
import { PassThrough } from 'node:stream';
import { MAX_LINE_LENGTH, relayLines } from '../../lib/cli/line-prefix.js';

function procfile(dir: string, text: string): string {
  const path = join(dir, 'Procfile');
  writeFileSync(path, text);
  return path;
}

/** Resolve once the runner's stdout contains `text`. */
function waitForOutput(child: ReturnType<typeof startCli>, text: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)} within ${ms} ms; got ${JSON.stringify(seen)}`)), ms);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** PORT in a live process's environment, read from /proc/PID/environ. */
function portOf(pid: number): string | undefined {
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('PORT='))?.slice(5);
}

describe('procctl run, foreman flags', { timeout: 60_000 }, () => {
  test('-m formation: copies named web.1, web.2, PORT per copy as foreman assigns it; -f names the Procfile', async () => {
    const dir = tempDir();
    const [web, worker, clock] = [uniqueSleep(), uniqueSleep(), uniqueSleep()];
    const path = procfile(dir.path, `web: echo "web on $PORT"; exec sleep ${web}\nworker: echo "worker on $PORT"; exec sleep ${worker}\nclock: exec sleep ${clock}\n`);
    const run = startCli(['run', '-f', path, '-m', 'web=2,worker=1,clock=0', '-p', '7000'], { env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    run.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const seen = waitForOutput(run, 'worker  | worker on 7100');
    try {
      await seen;
      await waitUntil(() => sleepers(web).length === 2 && sleepers(worker).length === 1, 5000, 'three processes');
      assert.deepEqual(sleepers(web).map(portOf).sort(), ['7000', '7001']);
      assert.deepEqual(sleepers(worker).map(portOf), ['7100']);
      assert.deepEqual(sleepers(clock), [], 'clock=0 runs no copy');
      run.kill('SIGTERM');
      const result = await finishCli(run, 20_000);
      assert.equal(result.code, 0, result.stderr);
      const lines = output.split('\n');
      for (const line of ['web.1   | web on 7000', 'web.2   | web on 7001', 'worker  | worker on 7100']) assert.ok(lines.includes(line), `${line} in ${output}`);
      assert.deepEqual([...sleepers(web), ...sleepers(worker)], []);
    } finally {
      run.kill('SIGKILL');
      killMarked(web, worker, clock);
      dir.remove();
    }
  });

  test('NAME... runs only the named entries; -t starts every line with HH:MM:SS', async () => {
    const dir = tempDir();
    const skipped = uniqueSleep();
    // b ends the run (exit 0), but only once a has printed.
    const path = procfile(dir.path, `a: echo from a; touch printed; sleep 10\nb: while [ ! -e printed ]; do sleep 0.02; done; echo from b\nc: exec sleep ${skipped}\n`);
    try {
      const result = await runCli(['run', '-f', path, '-t', 'b', 'a'], { deadline: 20_000, env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split('\n').filter((l) => l !== '');
      assert.ok(lines.length >= 4, result.stdout);
      for (const line of lines) assert.match(line, /^\d\d:\d\d:\d\d (a|b|procctl) +\| /, line);
      assert.ok(lines.some((l) => / a +\| from a$/.test(l)) && lines.some((l) => / b +\| from b$/.test(l)), result.stdout);
      assert.doesNotMatch(result.stdout, /\bc +\|/, 'c was not named, so not run');
      assert.deepEqual(sleepers(skipped), []);
    } finally {
      killMarked(skipped);
      dir.remove();
    }
  });

  test('-e FILE[,FILE] is parsed as node:util parseEnv parses it: inline comments, multi-line and backtick quotes', async () => {
    const dir = tempDir();
    writeFileSync(join(dir.path, 'one.env'), 'INLINE=kept # a comment\nMULTI="line one\nline two"\nTICK=`it\'s "quoted"`\nexport LATER=first\n');
    writeFileSync(join(dir.path, 'two.env'), 'LATER=second\n');
    const path = procfile(dir.path, 'show: printf "%s|%s|%s|%s\\n" "$INLINE" "$MULTI" "$TICK" "$LATER"\n');
    try {
      const result = await runCli(['run', '-f', path, '-e', `${join(dir.path, 'one.env')},${join(dir.path, 'two.env')}`], { deadline: 20_000, env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /show +\| kept\|line one\n/);
      assert.match(result.stdout, /show +\| line two\|it's "quoted"\|second\n/);
    } finally {
      dir.remove();
    }
  });
});

describe('procctl run', { timeout: 60_000 }, () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} stops every entry, the shell-wrapped server included, and exits 0`, async () => {
      const dir = tempDir();
      const [server, worker] = [uniqueSleep(), uniqueSleep()];
      // The inner `sh -c '…; true'` cannot exec its last command: the shell stays as the parent.
      const path = procfile(dir.path, `web: sh -c 'echo listening on $PORT; sleep ${server}; true'\nworker: sleep ${worker}\n`);
      const run = startCli(['run', '-f', path], { env: { ...process.env, NO_COLOR: '1' } });
      const output = waitForOutput(run, 'listening on 5000');
      try {
        await output;
        await waitUntil(() => sleepers(server).length === 1 && sleepers(worker).length === 1, 5000, 'both entries');
        const shells = findByCmdline(`sleep ${server}; true`);
        assert.ok(shells.length >= 1, 'the wrapping shells run');
        run.kill(signal);
        const result = await finishCli(run, 20_000);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual([...sleepers(server), ...sleepers(worker)], [], 'no server left');
        assert.deepEqual(findByCmdline(`sleep ${server}; true`), [], 'no shell left');
      } finally {
        run.kill('SIGKILL');
        killMarked(server, worker, `sleep ${server}; true`);
        dir.remove();
      }
    });
  }

  test('one entry ending stops the others; the exit status is its own (128+N for a signal)', async () => {
    const dir = tempDir();
    const nap = uniqueSleep();
    try {
      const coded = await runCli(['run', '-f', procfile(dir.path, `long: sleep ${nap}\nshort: sleep 0.2; exit 4\n`)], { deadline: 20_000 });
      assert.equal(coded.code, 4, coded.stderr);
      assert.match(coded.stdout, /short exited with code 4; stopping the others/);
      assert.deepEqual(sleepers(nap), []);
      const killed = await runCli(['run', '-f', procfile(dir.path, `long: sleep ${nap}\nshort: kill -USR1 $$\n`)], { deadline: 20_000 });
      assert.equal(killed.code, 128 + 10, killed.stdout);
      assert.deepEqual(sleepers(nap), []);
    } finally {
      killMarked(nap);
      dir.remove();
    }
  });

  test('output is prefixed with padded names, PORT steps by 100 from --port, .env is loaded, no colour off a TTY', async () => {
    const dir = tempDir();
    writeFileSync(join(dir.path, '.env'), 'GREETING="hello there"\n');
    // longer_name ends the run (exit 0), but only after `a` has printed everything.
    const path = procfile(dir.path, 'a: echo "$GREETING $PORT"; printf partial; touch printed; sleep 10\nlonger_name: echo "err $PORT" >&2; while [ ! -e printed ]; do sleep 0.02; done\n');
    try {
      const result = await runCli(['run', '-f', path, '--port', '6000'], { deadline: 20_000 });
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split('\n');
      assert.ok(lines.includes('a           | hello there 6000'), result.stdout);
      assert.ok(lines.includes('a           | partial'), result.stdout);
      assert.ok(lines.includes('longer_name | err 6100'), result.stdout);
      assert.doesNotMatch(result.stdout, /\x1b\[/);
    } finally {
      dir.remove();
    }
  });

  test('--stop-timeout: an entry ignoring TERM is KILLed after it', async () => {
    const dir = tempDir();
    const nap = uniqueSleep();
    const path = procfile(dir.path, `stubborn: trap '' TERM; echo up; sleep ${nap}\n`);
    const run = startCli(['run', '--stop-timeout', '300ms', '-f', path]);
    try {
      await waitForOutput(run, 'stubborn | up');
      await waitUntil(() => sleepers(nap).length === 1, 5000, 'the entry');
      const started = performance.now();
      run.kill('SIGINT');
      const result = await finishCli(run, 15_000);
      assert.equal(result.code, 0);
      assert.ok(performance.now() - started >= 290);
      assert.deepEqual(sleepers(nap), []);
    } finally {
      run.kill('SIGKILL');
      killMarked(nap);
      dir.remove();
    }
  });

  test('usage errors and a missing or malformed Procfile exit 125 with one line', async () => {
    const dir = tempDir();
    const twoEntries = join(dir.path, 'Procfile.two');
    writeFileSync(twoEntries, 'a: true\nb: true\n');
    try {
      const help = await runCli(['run', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: procctl run .*--stop-timeout DURATION/s);
      for (const args of [
        ['run', '-f', join(dir.path, 'missing')],
        ['run', '-f', procfile(dir.path, 'not a procfile line\n')],
        ['run', '--stop-timeout', 'later'],
        ['run', 'a', 'b'],
        ['run', '--port', '0'],
        ['run', '-m', 'web=two'],
        ['run', '-m', 'nosuch=1'],
        ['run', '-m', 'all=0'],
        ['run', '-e', join(dir.path, 'no.env')],
        ['run', '--port', '65535', '-f', twoEntries],
        ['run', '--stop-timeout', '25d'],
      ]) {
        const result = await runCli(args, { cwd: dir.path });
        assert.equal(result.code, 125, `${args.join(' ')}: ${result.stderr}`);
        assert.ok(isOneErrorLine(result.stderr), result.stderr);
      }
      // A missing Procfile is named in words, with what to do about it.
      const empty = tempDir();
      const missing = await runCli(['run'], { cwd: empty.path });
      empty.remove();
      assert.match(missing.stderr, /^procctl: Procfile \S+\/Procfile does not exist \(no Procfile in this directory; pass -f FILE to name one\)\n$/);
      const named = await runCli(['run', '-f', join(dir.path, 'missing')]);
      assert.equal(named.stderr, `procctl: Procfile ${join(dir.path, 'missing')} does not exist\n`);
      // The old positional Procfile is now a NAME: the error says to use -f.
      procfile(dir.path, 'web: true\n');
      const positional = await runCli(['run', 'Procfile'], { cwd: dir.path });
      assert.match(positional.stderr, /no entry 'Procfile' in .*; to run another Procfile, pass -f Procfile/);
    } finally {
      dir.remove();
    }
  });

  test('a Procfile entry that cannot start is named in the one error line', async () => {
    const dir = tempDir();
    try {
      // One argument past MAX_ARG_STRLEN (128 KiB): execve fails with E2BIG.
      const path = procfile(dir.path, `ok: sleep 5\nhuge: echo ${'x'.repeat(200_000)}\n`);
      const result = await runCli(['run', '-f', path], { deadline: 20_000 });
      assert.equal(result.code, 125, result.stderr);
      assert.ok(isOneErrorLine(result.stderr), result.stderr);
      assert.match(result.stderr, /entry 'huge' could not start: E2BIG/);
    } finally {
      dir.remove();
    }
  });

  test('a 3 MB line is relayed as prefixed pieces of at most MAX_LINE_LENGTH characters', async () => {
    const dir = tempDir();
    try {
      const size = 3_000_000;
      const path = procfile(dir.path, `long: head -c ${size} /dev/zero | tr '\\0' x; echo; echo after\n`);
      const result = await runCli(['run', '-f', path], { deadline: 30_000, env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split('\n').filter((l) => l.startsWith('long    | '));
      const pieces = lines.map((l) => l.slice('long    | '.length));
      assert.equal(pieces.at(-1), 'after');
      const body = pieces.slice(0, -1);
      assert.equal(body.length, Math.ceil(size / MAX_LINE_LENGTH), 'split at the cap');
      assert.ok(body.every((p) => p.length <= MAX_LINE_LENGTH && /^x+$/.test(p)), 'every piece is prefixed and whole');
      assert.equal(body.join('').length, size, 'no byte lost');
    } finally {
      dir.remove();
    }
  });
});

describe('relayLines', { timeout: 60_000 }, () => {
  test('20 MB in one line: every character relayed, writes bounded by the cap', async () => {
    const stream = new PassThrough();
    const writes: string[] = [];
    let longestWrite = 0;
    let relayed = 0;
    const done = relayLines(stream, '> ', (text) => {
      longestWrite = Math.max(longestWrite, text.length);
      relayed += text.length;
      if (writes.length < 3) writes.push(text.slice(0, 4));
    });
    const chunk = Buffer.alloc(64 * 1024, 'y');
    const total = 20 * 1024 * 1024;
    for (let sent = 0; sent < total; sent += chunk.length) stream.write(chunk);
    stream.end('\ntail');
    await done;
    const lines = Math.ceil(total / MAX_LINE_LENGTH) + 1;
    assert.equal(relayed, total + 'tail'.length + lines * 3, 'every character plus a prefix and newline per line');
    assert.ok(longestWrite <= 2 * (MAX_LINE_LENGTH + 3), `each write holds at most a chunk's lines (${longestWrite})`);
    assert.equal(writes[0], '> yy');
  });

  test('splits never cut a multi-byte character or a surrogate pair', async () => {
    const stream = new PassThrough();
    let out = '';
    const done = relayLines(stream, '', (text) => (out += text), 5);
    // '😀' is two UTF-16 units; 'é' is two UTF-8 bytes, sent split across chunks.
    const text = Buffer.from('ab😀cdé😀😀xy\nshort\n');
    for (const byte of text) stream.write(Buffer.from([byte]));
    stream.end();
    await done;
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.join(''), 'ab😀cdé😀😀xyshort');
    assert.ok(lines.every((l) => l.length <= 5 && !/[\ud800-\udbff]$/.test(l)), JSON.stringify(lines));
  });
});
