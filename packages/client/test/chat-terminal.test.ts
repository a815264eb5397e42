// `dim chat` in a real terminal: two users chat through a `dim station` process, each `dim chat` running in its
// own tmux pane (a pseudo-terminal); keys are typed with send-keys and the screens read with capture-pane.
// Also the line mode (no terminal) that scripts get.
import { execFileSync, execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliBundle, spawnStation, type StationProcess } from '../../station/test/_cli.js';

const SOCKET = `dimkit-chat-${process.pid}`;
const dirs: string[] = [];
const stations: StationProcess[] = [];
const children = new Set<ChildProcess>();
let dim: string;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [dim, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), stdout, stderr }),
    );
    children.add(child);
  });
}

beforeAll(async () => {
  dim = process.env['DIM_TEST_CLI'] ?? (await cliBundle());
}, 60_000);
afterEach(async () => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
  for (const station of stations.splice(0)) {
    station.child.kill('SIGTERM');
    await station.exited;
  }
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function setup(): Promise<{ dir: string; port: number; alice: string; bob: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dim-chat-tty-'));
  dirs.push(dir);
  const station = await spawnStation(['--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir, 'station')]);
  stations.push(station);
  const port = await station.listening;
  const ids: string[] = [];
  for (const name of ['alice', 'bob']) {
    const made = await run(['id', 'new', '--name', name, '--out', join(dir, `${name}.json`)]);
    expect(made.code, made.stderr).toBe(0);
    ids.push((JSON.parse(made.stdout) as { id: string }).id);
  }
  return { dir, port, alice: ids[0]!, bob: ids[1]! };
}

/** Starts `dim chat` for `who` in a tmux session of its own, 100 × 24. */
function openChat(session: string, dir: string, port: number, who: string, peer: string): void {
  const command = [
    process.execPath,
    dim,
    'chat',
    '--station',
    `ws://127.0.0.1:${port}/`,
    '--me',
    join(dir, `${who}.json`),
    '--home',
    join(dir, `home-${who}`),
    peer,
  ]
    .map((part) => `'${part}'`)
    .join(' ');
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '24', `${command}; echo "[exit $?]"; sleep 60`);
}

function screen(session: string): string {
  return tmux('capture-pane', '-p', '-t', `=${session}:`);
}

async function waitScreen(session: string, predicate: (text: string) => boolean, ms = 20_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = screen(session);
    if (predicate(text)) return text;
    if (Date.now() > deadline) {
      const all = tmux('list-sessions', '-F', '#{session_name}').trim().split('\n');
      throw new Error(`timed out on ${session}; screens:\n${all.map((s) => `[${s}]\n${screen(s)}`).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function type(session: string, text: string): void {
  // `=name:` names the session exactly (a bare name may match another session by prefix)
  tmux('send-keys', '-t', `=${session}:`, '-l', text);
  tmux('send-keys', '-t', `=${session}:`, 'Enter');
}

/** The screen row showing `text` (a message line). */
function row(text: string, needle: string): string {
  return text.split('\n').find((line) => line.includes(needle)) ?? '';
}

describe('dim chat in a pseudo-terminal (tmux)', () => {
  it('two users chat: live messages both ways, delivered/read marks, history after a restart', async () => {
    const { dir, port, alice, bob } = await setup();
    openChat('bob', dir, port, 'bob', alice);
    await waitScreen('bob', (s) => s.includes('running'));
    openChat('alice', dir, port, 'alice', bob);
    await waitScreen('alice', (s) => s.includes('running'));

    type('alice', 'hello bob, this is alice');
    let atBob = await waitScreen('bob', (s) => s.includes('alice: hello bob, this is alice'));
    expect(atBob).toContain('dim chat · alice · running');
    // bob reads it on screen: alice's mark goes to delivered, then read (a dimkit read receipt)
    let atAlice = await waitScreen('alice', (s) => row(s, 'this is alice').endsWith('✓✓ read'));
    expect(row(atAlice, 'this is alice')).toMatch(/^\d\d:\d\d #1 alice: hello bob, this is alice ✓✓ read$/);

    type('bob', 'hi alice! 👋');
    atAlice = await waitScreen('alice', (s) => s.includes('bob: hi alice! 👋'));
    atBob = await waitScreen('bob', (s) => row(s, 'hi alice!').includes('✓✓'));
    expect(row(atBob, 'hi alice!')).toMatch(/#2 bob: hi alice! 👋 ✓✓/);
    // the input line stays at the bottom, below the messages
    expect(atAlice.trimEnd().split('\n').pop()).toBe('>');

    // a message while bob is away waits at the station (✓ cached), and bob sees it with the history
    type('bob', '/quit');
    await waitScreen('bob', (s) => s.includes('[exit 0]'));
    tmux('kill-session', '-t', '=bob');
    type('alice', 'are you still there?');
    atAlice = await waitScreen('alice', (s) => row(s, 'still there?').endsWith('✓ cached'));

    openChat('bob2', dir, port, 'bob', alice);
    atBob = await waitScreen('bob2', (s) => s.includes('alice: are you still there?'));
    const lines = atBob.split('\n');
    const order = ['hello bob, this is alice', 'hi alice!', 'are you still there?'].map((t) =>
      lines.findIndex((l) => l.includes(t)),
    );
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    await waitScreen('alice', (s) => row(s, 'still there?').endsWith('✓✓ read'));
  }, 90_000);

  it('unknown commands are reported; a message to a user no station knows fails, and goes once that user writes', async () => {
    const { dir, port, alice } = await setup();
    const nobody = (JSON.parse((await run(['id', 'new', '--out', join(dir, 'nobody.json')])).stdout) as { id: string })
      .id;
    openChat('alice', dir, port, 'alice', nobody);
    await waitScreen('alice', (s) => s.includes('running'));
    type('alice', '/frobnicate');
    await waitScreen('alice', (s) => s.includes('unknown command /frobnicate'));
    type('alice', 'anyone?');
    const text = await waitScreen('alice', (s) => row(s, 'anyone?').includes('✗'));
    expect(row(text, 'anyone?')).toContain('✗ meta.missing');
    expect(alice).not.toBe(nobody);
    // once that user connects and writes, the failed message goes by itself
    openChat('nobody', dir, port, 'nobody', alice);
    await waitScreen('nobody', (s) => s.includes('running'));
    type('nobody', 'here now');
    await waitScreen('alice', (s) => s.includes(': here now'));
    await waitScreen('alice', (s) => /anyone\? ✓✓/.test(row(s, 'anyone?')));
    await waitScreen('nobody', (s) => s.includes(': anyone?'));
  }, 60_000);
});

describe('dim chat without a terminal (line mode)', () => {
  it('reads lines from standard input and prints messages and mark changes as lines', async () => {
    const { dir, port, alice, bob } = await setup();
    const args = (who: string, peer: string) => [
      dim,
      'chat',
      '--station',
      `ws://127.0.0.1:${port}/`,
      '--me',
      join(dir, `${who}.json`),
      '--home',
      join(dir, `home-${who}`),
      peer,
    ];
    const bobChat = spawn(process.execPath, args('bob', alice), { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(bobChat);
    const bobLines: string[] = [];
    createInterface({ input: bobChat.stdout! }).on('line', (l) => bobLines.push(l));
    let bobErr = '';
    bobChat.stderr!.on('data', (chunk: Buffer) => (bobErr += chunk.toString()));
    const until = async (predicate: () => boolean, what: string) => {
      const deadline = Date.now() + 20_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${bobLines.join('\n')}\n${bobErr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => bobLines.some((l) => l.startsWith('chat with')), 'the banner');
    // wait for bob's session, so that the station knows his meta
    await new Promise((r) => setTimeout(r, 1500));
    const sent = await run([
      'send',
      '--station',
      `ws://127.0.0.1:${port}/`,
      '--me',
      join(dir, 'alice.json'),
      '--home',
      join(dir, 'home-alice-send'),
      '--to',
      bob,
      '--text',
      'ping from a script',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    // the sender shows by name once its visa is known, by ID before (its first message may come first)
    await until(
      () => bobLines.some((l) => new RegExp(`^\\d\\d:\\d\\d #\\d+ (alice|${alice}): ping from a script$`).test(l)),
      'the message',
    );
    bobChat.stdin!.write('pong\n');
    await until(() => bobLines.some((l) => /bob: pong/.test(l)), 'our own line');
    await until(() => bobLines.some((l) => /^#\d+ pong ✓/.test(l)), 'the mark change');
    bobChat.stdin!.end();
    const code = await new Promise<number | null>((resolve) => bobChat.once('exit', resolve));
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'bob.json'), 'utf8')).toContain(bob);
  }, 60_000);
});
