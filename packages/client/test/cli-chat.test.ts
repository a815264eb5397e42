// `dim send` and `dim listen` as processes (the built dist/: `npm test` builds first) through a
// `dim station` process: chat both ways, offline delivery, a restarted client's outbox.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dim, Lines, newIdentity, startStation, tempDir as tempDirIn } from './_dim-process.js';
import { openProfile } from '../src/node/index.js';

const tempDir = () => tempDirIn('dim-cli-chat-');

describe('dim send / dim listen through a dim station', () => {
  it('two users chat both ways (WebSocket and MTP)', async () => {
    const dir = tempDir();
    const { process: station, port } = await startStation(join(dir, 'station'));
    const home = join(dir, 'home');
    const alice = await newIdentity(dir, 'alice');
    const bob = await newIdentity(dir, 'bob');
    const bobListen = new Lines(['listen', '--station', `tcp://127.0.0.1:${port}`, '--me', bob.file, '--home', home]);
    const aliceListen = new Lines([
      'listen',
      '--station',
      `ws://127.0.0.1:${port}/`,
      '--me',
      alice.file,
      '--home',
      home,
    ]);
    await bobListen.waitFor((e) => e['event'] === 'state' && e['state'] === 'running');
    await aliceListen.waitFor((e) => e['event'] === 'state' && e['state'] === 'running');

    // alice writes with a second process on her profile while her listener runs
    const sent = await dim([
      'send',
      '--station',
      `ws://127.0.0.1:${port}/`,
      '--me',
      alice.file,
      '--home',
      join(dir, 'home-a2'),
      '--to',
      bob.id,
      '--text',
      'hi bob',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ to: bob.id, state: 'delivered' });
    const atBob = await bobListen.waitFor((e) => e['event'] === 'message');
    expect(atBob).toMatchObject({ sender: alice.id, receiver: bob.id, content: { type: 1, text: 'hi bob' } });

    const answer = await dim([
      'send',
      '--station',
      `tcp://127.0.0.1:${port}`,
      '--me',
      bob.file,
      '--home',
      join(dir, 'home-b2'),
      '--to',
      alice.id,
      '--text',
      'hi alice',
    ]);
    expect(answer.code, answer.stderr).toBe(0);
    const atAlice = await aliceListen.waitFor((e) => e['event'] === 'message');
    expect(atAlice).toMatchObject({ sender: bob.id, content: { text: 'hi alice' } });

    expect(await bobListen.interrupt()).toBe(0);
    expect(await aliceListen.interrupt()).toBe(0);
    await station.interrupt();
  }, 60_000);

  it('a message to an offline user is delivered at its next login', async () => {
    const dir = tempDir();
    const { process: station, port } = await startStation(join(dir, 'station'));
    const url = `ws://127.0.0.1:${port}/`;
    const home = join(dir, 'home');
    const alice = await newIdentity(dir, 'alice');
    const bob = await newIdentity(dir, 'bob');
    // bob has been online once: the station knows him
    const first = new Lines(['listen', '--station', url, '--me', bob.file, '--home', home]);
    await first.waitFor((e) => e['state'] === 'running');
    expect(await first.interrupt()).toBe(0);

    const sent = await dim([
      'send',
      '--station',
      url,
      '--me',
      alice.file,
      '--home',
      home,
      '--to',
      bob.id,
      '--text',
      'while you were away',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ state: 'cached' });

    const second = new Lines(['listen', '--station', url, '--me', bob.file, '--home', home]);
    const message = await second.waitFor((e) => e['event'] === 'message');
    expect(message).toMatchObject({ sender: alice.id, content: { text: 'while you were away' } });
    expect(await second.interrupt()).toBe(0);

    // a later listen prints nothing old again, and what arrived in between comes as backlog
    const third = new Lines(['listen', '--station', url, '--me', bob.file, '--home', home]);
    await third.waitFor((e) => e['state'] === 'running');
    expect(third.json().filter((e) => e['event'] === 'message')).toHaveLength(0);
    expect(await third.interrupt()).toBe(0);
    await station.interrupt();
  }, 60_000);

  it('a client that could not reach the station keeps history and outbox, and sends when it is back', async () => {
    const dir = tempDir();
    const stationDir = join(dir, 'station');
    const home = join(dir, 'home');
    const alice = await newIdentity(dir, 'alice');
    const bob = await newIdentity(dir, 'bob');
    const { process: station, port } = await startStation(stationDir);
    const url = `ws://127.0.0.1:${port}/`;
    const bobListen = new Lines(['listen', '--station', url, '--me', bob.file, '--home', home]);
    await bobListen.waitFor((e) => e['state'] === 'running');
    const before = await dim([
      'send',
      '--station',
      url,
      '--me',
      alice.file,
      '--home',
      home,
      '--to',
      bob.id,
      '--text',
      'before',
    ]);
    expect(before.code, before.stderr).toBe(0);

    expect(await station.interrupt()).toBe(0);
    const during = await dim([
      'send',
      '--station',
      url,
      '--me',
      alice.file,
      '--home',
      home,
      '--to',
      bob.id,
      '--text',
      'during the outage',
      '--timeout',
      '2',
    ]);
    expect(during.code).toBe(1);
    expect(during.stdout).toBe('');
    expect(during.stderr.trim().split('\n')).toHaveLength(1);
    expect(during.stderr).toMatch(/^dim: client\.timeout: could not reach the station .* stays in the outbox/);

    const store = await openProfile({ home, me: alice.file });
    expect((await store.listMessages(bob.id)).map((m) => [m.content['text'], m.state])).toEqual([
      ['before', 'delivered'],
      ['during the outage', 'pending'],
    ]);
    expect(await store.listOutbox()).toHaveLength(1);
    await store.close();

    const back = await startStation(stationDir, port);
    const aliceListen = new Lines(['listen', '--station', url, '--me', alice.file, '--home', home]);
    await aliceListen.waitFor((e) => e['event'] === 'receipt' && e['state'] !== 'sent');
    const atBob = await bobListen.waitFor(
      (e) => e['event'] === 'message' && (e['content'] as { text: string }).text === 'during the outage',
      20_000,
    );
    expect(atBob['sender']).toBe(alice.id);
    expect(await aliceListen.interrupt()).toBe(0);
    expect(await bobListen.interrupt()).toBe(0);
    await back.process.interrupt();
  }, 60_000);

  it('refuses bad usage with one line and exit code 1', async () => {
    const dir = tempDir();
    const alice = await newIdentity(dir, 'alice');
    const cases: [string[], RegExp][] = [
      [
        ['send', '--station', 'ws://127.0.0.1:1/', '--me', alice.file, '--home', dir, '--to', alice.id],
        /^dim: cli\.usage: give the message with --text/,
      ],
      [
        ['send', '--station', 'http://x/', '--me', alice.file, '--home', dir, '--to', alice.id, '--text', 'x'],
        /^dim: cli\.usage: station URL/,
      ],
      [
        [
          'send',
          '--station',
          'ws://127.0.0.1:1/',
          '--me',
          alice.file,
          '--home',
          dir,
          '--to',
          'not an id',
          '--text',
          'x',
        ],
        /^dim: (id|address)\.syntax/,
      ],
      [['listen', '--station', 'ws://127.0.0.1:1/', '--home', join(dir, 'empty')], /^dim: cli\.usage: no profile/],
    ];
    for (const [args, pattern] of cases) {
      const result = await dim(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
    }
  }, 30_000);

  it('a profile made with DIM_PASSPHRASE refuses another passphrase', async () => {
    const dir = tempDir();
    const alice = await newIdentity(dir, 'alice');
    const home = join(dir, 'home');
    const env = { DIM_PASSPHRASE: 'right' };
    const made = await dim(
      [
        'send',
        '--station',
        'ws://127.0.0.1:1/',
        '--me',
        alice.file,
        '--home',
        home,
        '--to',
        alice.id,
        '--text',
        'x',
        '--timeout',
        '0.5',
      ],
      env,
    );
    expect(made.stderr).toMatch(/^dim: client\.timeout/);
    const wrong = await dim(['listen', '--station', 'ws://127.0.0.1:1/', '--home', home], { DIM_PASSPHRASE: 'wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^dim: client\.passphrase/);
  }, 30_000);
});
