// `dim group …` and `dim bot group-assistant` as processes (the built dist/: `npm test` builds
// first) through a `dim station` process, with `dim listen` as the members' terminals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dim, dimJson, Lines, newIdentity, tempDir as tempDirIn } from './_dim-process.js';

const tempDir = () => tempDirIn('dim-groups-cli-');

const texts = (listen: Lines, group: string) =>
  listen
    .json()
    .filter((e) => e['event'] === 'message' && e['group'] === group)
    .map((e) => (e['content'] as { text: string }).text);

describe('dim group through a dim station', () => {
  it('create, invite, send, quit and reset a group of three; a non-owner reset refused', async () => {
    const dir = tempDir();
    const station = new Lines(['station', '--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir, 'station')]);
    const port = (await station.waitFor((e) => e['msg'] === 'station listening'))['port'] as number;
    const url = `ws://127.0.0.1:${port}/`;
    const home = join(dir, 'home');
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => newIdentity(dir, n)));
    const as = (who: { file: string }) => ['--station', url, '--me', who.file, '--home', home];
    const listen = (who: { file: string }) => new Lines(['listen', ...as(who)]);

    let bobListen = listen(bob!);
    const carolListen = listen(carol!);
    await bobListen.waitFor((e) => e['state'] === 'running');
    await carolListen.waitFor((e) => e['state'] === 'running');

    const created = await dimJson(['group', 'create', '--name', 'trio', '--member', bob!.id, ...as(alice!)]);
    const group = created['group'] as string;
    expect(created).toMatchObject({ mode: 'command', recipients: [bob!.id], members: [alice!.id, bob!.id] });
    await bobListen.waitFor((e) => e['event'] === 'members' && e['group'] === group);

    const invited = await dimJson(['group', 'invite', group, carol!.file, ...as(alice!)]);
    expect(invited['members']).toEqual([alice!.id, bob!.id, carol!.id]);
    for (const l of [bobListen, carolListen]) {
      await l.waitFor((e) => e['event'] === 'members' && (e['members'] as string[]).length === 3);
    }

    const sent = await dimJson(['group', 'send', group, '--text', 'hello trio', ...as(alice!)]);
    expect(sent).toMatchObject({ mode: 'personal', recipients: [bob!.id, carol!.id] });
    for (const l of [bobListen, carolListen]) {
      expect(await l.waitFor((e) => e['event'] === 'message')).toMatchObject({
        sender: alice!.id,
        group,
        content: { text: 'hello trio' },
      });
    }

    // bob quits (his listener stops first: one program per profile at a time)
    expect(await bobListen.interrupt()).toBe(0);
    const quit = await dimJson(['group', 'quit', group, ...as(bob!)]);
    expect(quit['members']).toEqual([alice!.id, carol!.id]);
    await carolListen.waitFor(
      (e) => e['event'] === 'members' && e['command'] === 'quit' && (e['removed'] as string[])[0] === bob!.id,
    );

    // carol may not reset: refused before anything is sent
    const refused = await dim(['group', 'reset', group, alice!.id, carol!.id, bob!.id, ...as(carol!)]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^dim: group\.permission: /);
    // nor may bob, who left, write to it
    const outsider = await dim(['group', 'send', group, '--text', 'still here?', ...as(bob!)]);
    expect(outsider.stderr).toMatch(/^dim: group\.permission: /);

    // the owner resets: bob is back (alice's profile applies bob's quit from the station first)
    const reset = await dimJson(['group', 'reset', group, alice!.id, bob!.id, carol!.id, ...as(alice!)]);
    expect(reset).toMatchObject({ members: [alice!.id, bob!.id, carol!.id], recipients: [bob!.id, carol!.id] });
    await carolListen.waitFor(
      (e) =>
        e['event'] === 'members' &&
        e['command'] === 'reset' &&
        e['sender'] === alice!.id &&
        (e['added'] as string[]).includes(bob!.id),
    );
    bobListen = listen(bob!);
    await bobListen.waitFor(
      (e) => e['event'] === 'members' && (e['added'] as string[] | undefined)?.includes(bob!.id) === true,
    );

    const members = await dimJson(['group', 'members', group, '--me', bob!.file, '--home', home]);
    expect(members).toMatchObject({ group, name: 'trio', owner: alice!.id, members: [alice!.id, bob!.id, carol!.id] });
    const listed = await dim(['group', 'list', '--me', alice!.file, '--home', home]);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).group),
    ).toEqual([group]);

    expect(texts(carolListen, group)).toEqual(['hello trio']);
    expect(await bobListen.interrupt()).toBe(0);
    expect(await carolListen.interrupt()).toBe(0);
    await station.interrupt();
  }, 90_000);

  it('a group with the dim bot group-assistant: the bot relays the member list and splits messages', async () => {
    const dir = tempDir();
    const station = new Lines(['station', '--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir, 'station')]);
    const port = (await station.waitFor((e) => e['msg'] === 'station listening'))['port'] as number;
    const url = `ws://127.0.0.1:${port}/`;
    const home = join(dir, 'home');
    const bot = await newIdentity(dir, 'assistant', ['--entity', 'bot', '--type', 'mkm']);
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => newIdentity(dir, n)));
    const as = (who: { file: string }) => ['--station', url, '--me', who.file, '--home', home];

    const assistant = new Lines(['bot', 'group-assistant', ...as(bot)]);
    const bobListen = new Lines(['listen', ...as(bob!)]);
    const carolListen = new Lines(['listen', ...as(carol!)]);
    for (const l of [assistant, bobListen, carolListen]) await l.waitFor((e) => e['state'] === 'running');

    const created = await dimJson([
      'group',
      'create',
      '--name',
      'with a bot',
      '--member',
      bob!.id,
      '--member',
      carol!.id,
      '--assistant',
      bot.id,
      '--out',
      join(dir, 'group.json'),
      ...as(alice!),
    ]);
    const group = created['group'] as string;
    expect(created['recipients']).toEqual([bot.id]);
    expect(JSON.parse(readFileSync(join(dir, 'group.json'), 'utf8'))).toMatchObject({ id: group, founder: alice!.id });
    await assistant.waitFor((e) => e['event'] === 'relayed' && e['group'] === group);
    for (const l of [bobListen, carolListen]) {
      await l.waitFor((e) => e['event'] === 'members' && (e['members'] as string[]).length === 3);
    }

    const sent = await dimJson(['group', 'send', group, '--text', 'via the bot', ...as(alice!)]);
    expect(sent).toMatchObject({ mode: 'assistant', recipients: [bob!.id, carol!.id] });
    const split = await assistant.waitFor((e) => e['event'] === 'split');
    expect(split).toMatchObject({ group, sender: alice!.id, delivered: [bob!.id, carol!.id], missing: [] });
    for (const l of [bobListen, carolListen]) {
      expect(await l.waitFor((e) => e['event'] === 'message' && e['group'] === group)).toMatchObject({
        sender: alice!.id,
        content: { text: 'via the bot' },
      });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(texts(bobListen, group)).toEqual(['via the bot']);
    expect(texts(carolListen, group)).toEqual(['via the bot']);
    for (const l of [assistant, bobListen, carolListen]) expect(await l.interrupt()).toBe(0);
    await station.interrupt();
  }, 90_000);
});
