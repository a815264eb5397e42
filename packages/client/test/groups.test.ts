// Groups through a `dim station` process (the built dist/: `npm test` builds first), with SDK
// clients in this process: a group of three (create, invite, send, quit, reset, history query; a
// non-owner's reset refused on both ends), twenty members through the group assistant bot, and
// seventeen members with one split message.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError } from '@dimkit/protocol';
import { createIdentity, identityEncryptionKey, type Identity } from '@dimkit/protocol/account';
import { createForwardContent, createResetCommand, createTextContent } from '@dimkit/protocol/content';
import { sealMessage, type InstantMessage } from '@dimkit/protocol/dkd';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GroupAssistant, type AssistantRefusalEvent, type SplitEvent } from '../src/bot/index.js';
import { MemoryClientStore, Messenger, type MessageEvent } from '../src/core/index.js';
import {
  Groups,
  packBroadcast,
  type GroupChangeEvent,
  type GroupRefusalEvent,
  type GroupRequestEvent,
} from '../src/core/groups/index.js';
import { transportForUrl } from '../src/node/index.js';
import { until } from './fake-station.js';

const DIM = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dirs: string[] = [];
const cleanup: (() => Promise<void>)[] = [];
let station: ChildProcess;
let url: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dim-groups-'));
  dirs.push(dir);
  station = spawn(process.execPath, [DIM, 'station', '--host', '127.0.0.1', '--port', '0', '--data-dir', dir]);
  const port = await new Promise<number>((resolve, reject) => {
    let stderr = '';
    station.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    station.once('exit', (code) => reject(new Error(`dim station exited (${code}): ${stderr}`)));
    createInterface({ input: station.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { msg?: string; port?: number };
      if (event.msg === 'station listening') resolve(event.port!);
    });
  });
  url = `ws://127.0.0.1:${port}/`;
});

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

afterAll(async () => {
  if (station.exitCode === null && station.signalCode === null) {
    const exited = new Promise((resolve) => station.once('exit', resolve));
    station.kill('SIGTERM');
    // a drain that takes too long under load must not leave the process behind
    const hard = setTimeout(() => station.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(hard);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Member {
  readonly identity: Identity;
  readonly id: string;
  readonly messenger: Messenger;
  readonly groups: Groups;
  readonly messages: MessageEvent[];
  readonly changes: GroupChangeEvent[];
  readonly refusals: GroupRefusalEvent[];
  readonly requests: GroupRequestEvent[];
}

function user(name: string): Identity {
  return createIdentity({ name, backend: nodeBackend });
}

async function online(identity: Identity, store = new MemoryClientStore()): Promise<Member> {
  const messenger = new Messenger({
    identity,
    store,
    transport: transportForUrl(url),
    backend: nodeBackend,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  const groups = new Groups({ messenger, identity, backend: nodeBackend });
  const member: Member = {
    identity,
    id: identity.id.text,
    messenger,
    groups,
    messages: [],
    changes: [],
    refusals: [],
    requests: [],
  };
  messenger.on('message', (e) => member.messages.push(e));
  groups.on('group', (e) => member.changes.push(e));
  groups.on('refused', (e) => member.refusals.push(e));
  groups.on('request', (e) => member.requests.push(e));
  groups.on('error', ({ error }) => {
    throw error;
  });
  cleanup.push(async () => {
    await messenger.stop();
    groups.close();
  });
  await messenger.start();
  await until(() => messenger.state === 'running', 10_000, `${identity.id.text} running`);
  return member;
}

const texts = (m: Member, group: string) =>
  m.messages.filter((e) => e.message.conversation === group).map((e) => e.message.content['text']);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DimError) return error.code;
    throw error;
  }
  return 'resolved';
}

describe('groups through a dim station', () => {
  it('a group of three: create, invite, send, quit, reset; a non-owner reset refused', async () => {
    const [alice, bob, carol] = await Promise.all([online(user('alice')), online(user('bob')), online(user('carol'))]);

    // create with bob: the reset goes to bob with the group's meta and bulletin
    const made = await alice.groups.create({ name: 'three', members: [bob.id] });
    const group = made.group;
    expect(made).toMatchObject({ mode: 'command', recipients: [bob.id], missing: [] });
    await alice.groups.waitForStation(made.message!.id, 10_000);
    await until(async () => (await bob.groups.members(group)).length === 2, 10_000, 'bob learns the group');
    expect(await bob.groups.members(group)).toEqual([alice.id, bob.id]);
    expect(await bob.groups.info(group)).toMatchObject({ name: 'three', owner: alice.id });

    // invite carol: bob and carol learn the new list
    await alice.groups.waitForStation((await alice.groups.invite(group, [carol.id])).message!.id, 10_000);
    const three = [alice.id, bob.id, carol.id];
    for (const m of [bob, carol]) {
      await until(async () => (await m.groups.members(group)).length === 3, 10_000, `${m.id} sees carol`);
      expect(await m.groups.members(group)).toEqual(three);
    }
    expect(carol.changes.at(-1)).toMatchObject({ group, command: 'reset', sender: alice.id, added: three });

    // messages: one personal copy per member (below 16), one stored message on the sender's side
    const sent = await alice.groups.send(group, createTextContent('hello group'));
    expect(sent).toMatchObject({ mode: 'personal', recipients: [bob.id, carol.id] });
    await alice.groups.waitForStation(sent.message!.id, 10_000);
    await carol.groups.send(group, createTextContent('hi from carol'));
    await until(() => texts(bob, group).length === 2 && texts(alice, group).length === 1, 10_000, 'messages');
    expect(texts(bob, group)).toEqual(['hello group', 'hi from carol']);
    expect(texts(carol, group)).toEqual(['hello group']);
    expect(texts(alice, group)).toEqual(['hi from carol']);
    // the sender's history holds its group commands too (create, invite), and each message once
    expect(
      (await alice.messenger.store.listMessages(group)).map((m) => m.content['text'] ?? m.content['command']),
    ).toEqual(['reset', 'reset', 'hello group', 'hi from carol']);
    expect(bob.messages.find((e) => e.message.conversation === group)!.message.group).toBe(group);

    // bob quits: everyone drops him
    await bob.groups.waitForStation((await bob.groups.quit(group)).message!.id, 10_000);
    expect(await bob.groups.members(group)).toEqual([alice.id, carol.id]);
    for (const m of [alice, carol]) {
      await until(async () => (await m.groups.members(group)).length === 2, 10_000, `${m.id} sees bob quit`);
    }
    expect(alice.changes.at(-1)).toMatchObject({ command: 'quit', sender: bob.id, removed: [bob.id] });
    expect(await codeOf(bob.groups.send(group, createTextContent('still here?')))).toBe('group.permission');

    // a non-owner's reset: refused by the SDK before it leaves …
    expect(await codeOf(carol.groups.reset(group, [alice.id, carol.id, bob.id]))).toBe('group.permission');
    expect(await codeOf(alice.groups.quit(group))).toBe('group.permission');
    expect(await codeOf(alice.groups.reset(group, [carol.id, alice.id]))).toBe('group.members');
    // … and by every receiver when one is forged by hand and forwarded
    const forged = packBroadcast(carol.identity, createResetCommand(group, [alice.id, carol.id]), group, nodeBackend);
    await carol.messenger.send(alice.id, createForwardContent(forged));
    await until(() => alice.refusals.length === 1, 10_000, 'the forged reset refused');
    expect(alice.refusals[0]).toMatchObject({ group, command: 'reset', sender: carol.id, code: 'group.permission' });
    expect(await alice.groups.members(group)).toEqual([alice.id, carol.id]);

    // the owner's reset brings bob back, owner first
    await alice.groups.waitForStation((await alice.groups.reset(group, [alice.id, bob.id, carol.id])).message!.id);
    for (const m of [bob, carol]) {
      await until(async () => (await m.groups.members(group)).length === 3, 10_000, `${m.id} sees the reset`);
      expect(await m.groups.members(group)).toEqual([alice.id, bob.id, carol.id]);
    }
    expect(bob.changes.at(-1)).toMatchObject({ command: 'reset', sender: alice.id, added: [bob.id] });

    // carol on a new device (no record): her history query is answered by the owner
    const carol2 = await online(carol.identity);
    expect(await carol2.groups.members(group)).toEqual([]);
    await carol2.groups.query(group);
    await until(async () => (await carol2.groups.members(group)).length === 3, 10_000, 'history answer');
    expect(await carol2.groups.members(group)).toEqual([alice.id, bob.id, carol.id]);

    // every message arrived exactly once
    await alice.groups.idle();
    expect(texts(bob, group)).toEqual(['hello group', 'hi from carol']);
    expect(texts(carol, group)).toEqual(['hello group']);
  }, 60_000);

  it('a stranger asks to join, the owner lets it in, then expels it', async () => {
    const [alice, bob, dave] = await Promise.all([online(user('alice')), online(user('bob')), online(user('dave'))]);
    const { group, message } = await alice.groups.create({ name: 'club', members: [bob.id] });
    await alice.groups.waitForStation(message!.id, 10_000);

    // dave knows only the group ID: its meta and bulletin come from the station
    await dave.groups.waitForStation((await dave.groups.join(group)).message!.id, 10_000);
    await until(() => alice.requests.length === 1, 10_000, 'the join request');
    expect(alice.requests[0]).toMatchObject({ group, command: 'join', sender: dave.id });
    expect((await alice.groups.info(group))!.requests).toEqual([dave.id]);
    expect(await codeOf(bob.groups.invite(group, [dave.id]))).toBe('group.permission');

    await alice.groups.waitForStation((await alice.groups.invite(group, [dave.id])).message!.id, 10_000);
    await until(async () => (await dave.groups.members(group)).length === 3, 10_000, 'dave is in');
    expect((await alice.groups.info(group))!.requests).toEqual([]);

    // expel goes as a reset without dave, to the members and to dave
    expect(await codeOf(alice.groups.expel(group, [alice.id]))).toBe('group.members');
    await alice.groups.waitForStation((await alice.groups.expel(group, [dave.id])).message!.id, 10_000);
    for (const m of [bob, dave]) {
      await until(async () => !(await m.groups.members(group)).includes(dave.id), 10_000, `${m.id} sees dave out`);
    }
    expect(dave.changes.at(-1)).toMatchObject({ command: 'reset', removed: [dave.id] });
    expect(await bob.groups.members(group)).toEqual([alice.id, bob.id]);
  }, 60_000);

  it('twenty members through the group assistant bot: each gets every message once', async () => {
    const botIdentity = createIdentity({ kind: 'mkm', entity: 'bot', name: 'assistant', backend: nodeBackend });
    const bot = new GroupAssistant({
      identity: botIdentity,
      store: new MemoryClientStore(),
      transport: transportForUrl(url),
      backend: nodeBackend,
    });
    const splits: SplitEvent[] = [];
    const botMessages: unknown[] = [];
    bot.on('split', (e) => splits.push(e));
    bot.on('error', ({ error }) => {
      throw error;
    });
    bot.messenger.on('message', (e) => botMessages.push(e.message.content));
    cleanup.push(() => bot.stop());
    await bot.start();
    await until(() => bot.messenger.state === 'running', 10_000, 'bot running');

    const people = await Promise.all(Array.from({ length: 20 }, (_, i) => online(user(`member${i}`))));
    const [owner, ...others] = people as [Member, ...Member[]];
    const made = await owner.groups.create({
      name: 'twenty',
      members: others.map((m) => m.id),
      assistants: [botIdentity.id.text],
    });
    const group = made.group;
    // the reset went to the bot only; the bot relays it to the nineteen
    expect(made.recipients).toEqual([botIdentity.id.text]);
    for (const m of others) {
      await until(async () => (await m.groups.members(group)).length === 20, 20_000, `${m.id} learns the group`);
    }
    expect(await bot.groups.members(group)).toEqual(people.map((m) => m.id));

    const first = await owner.groups.send(group, createTextContent('hello twenty'));
    expect(first).toMatchObject({ mode: 'assistant', missing: [] });
    expect(first.recipients).toHaveLength(19);
    await owner.groups.waitForStation(first.message!.id, 10_000);
    const last = others[18]!;
    await last.groups.send(group, createTextContent('one of twenty answers'));
    await until(
      () =>
        others.every((m) => texts(m, group).includes('hello twenty')) &&
        people.every((m) => m === last || texts(m, group).includes('one of twenty answers')),
      20_000,
      'every member gets both messages',
    );
    await bot.idle();
    await new Promise((r) => setTimeout(r, 300)); // room for any duplicate
    for (const m of others) {
      const expected = m === last ? ['hello twenty'] : ['hello twenty', 'one of twenty answers'];
      expect(texts(m, group)).toEqual(expected);
      const [atMember] = m.messages.filter((e) => e.message.conversation === group);
      expect(atMember!.message.sender).toBe(owner.id);
    }
    expect(texts(owner, group)).toEqual(['one of twenty answers']);
    expect(splits).toHaveLength(2);
    expect(splits[0]).toMatchObject({ group, sender: owner.id, missing: [] });
    expect(splits[0]!.delivered).toHaveLength(19);
    // a stranger's group message is not split
    const refusals: AssistantRefusalEvent[] = [];
    bot.on('refused', (e) => refusals.push(e));
    const stranger = await online(user('stranger'));
    const forged = sealMessage(
      {
        sender: stranger.id,
        receiver: group,
        group,
        time: Date.now() / 1000,
        content: createTextContent('let me in', { group }),
      } as InstantMessage,
      {
        signer: stranger.identity.privateKey,
        memberKeys: new Map(others.map((m) => [m.id, identityEncryptionKey(m.identity, nodeBackend)])),
        backend: nodeBackend,
      },
    );
    await stranger.messenger.send(botIdentity.id.text, createForwardContent(forged));
    await until(() => refusals.length === 1, 10_000, 'the stranger refused');
    expect(refusals[0]).toMatchObject({ group, sender: stranger.id, code: 'group.permission' });
    expect(splits).toHaveLength(2);
    // the bot never opened a group message: it only saw its own traffic
    expect(botMessages.filter((c) => JSON.stringify(c).includes('twenty'))).toEqual([]);
  }, 120_000);

  it('seventeen members without a bot: one message sealed with keys, split per member', async () => {
    const people = await Promise.all(Array.from({ length: 17 }, (_, i) => online(user(`split${i}`))));
    const [owner, ...others] = people as [Member, ...Member[]];
    const { group, message } = await owner.groups.create({ name: 'seventeen', members: others.map((m) => m.id) });
    await owner.groups.waitForStation(message!.id, 10_000);
    for (const m of others) {
      await until(async () => (await m.groups.members(group)).length === 17, 20_000, `${m.id} learns the group`);
    }
    const sent = await owner.groups.send(group, createTextContent('split for sixteen'));
    expect(sent).toMatchObject({ mode: 'split', missing: [] });
    expect(sent.recipients).toHaveLength(16);
    // sixteen copies, one signature: one stored message, every copy acknowledged by the station
    const items = (await owner.messenger.store.listOutbox()).filter((i) => i.messageId === sent.message!.id);
    expect(items).toHaveLength(16);
    expect(new Set(items.map((i) => i.signature)).size).toBe(1);
    await owner.groups.waitForStation(sent.message!.id, 10_000);
    await until(() => others.every((m) => texts(m, group).length === 1), 20_000, 'every member gets it');
    await new Promise((r) => setTimeout(r, 300));
    for (const m of others) expect(texts(m, group)).toEqual(['split for sixteen']);
    expect(
      (await owner.messenger.store.listMessages(group)).map((m) => m.content['text'] ?? m.content['command']),
    ).toEqual(['reset', 'split for sixteen']);
  }, 120_000);
});
