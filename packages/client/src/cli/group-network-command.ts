import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError } from '@dimkit/protocol';
import { groupToJson } from '@dimkit/protocol/account';
import { createTextContent } from '@dimkit/protocol/content';
import { parseId } from '@dimkit/protocol/mkm';
import { Groups, type GroupInfo, type GroupSendResult } from '../core/groups/index.js';
import { Messenger } from '../core/messenger.js';
import type { Transport } from '../core/transport.js';
import { DEFAULT_HOME } from '../node/profile.js';
import { transportForUrl } from '../node/transport-for-url.js';
import type { SqliteClientStore } from '../node/sqlite-store.js';
import { readJsonFile, writeFileAtomic } from './_io.js';
import { openProfileFrom, whenRunning } from './_session.js';
import { pick } from './document-command.js';

interface ProfileOptions {
  me?: string;
  home: string;
  profile?: string;
}

interface StationOptions extends ProfileOptions {
  station: string;
  timeout: string;
}

/** For reading a profile without connecting. */
const NO_STATION: Transport = {
  url: 'offline:',
  connect() {
    throw new TypeError('offline: this messenger is never started');
  },
};

/** Received traffic counts as settled after this much quiet (the station drains our inbox first). */
const QUIET_MS = 300;
const MAX_SETTLE_MS = 5000;

function seconds(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 86_400) {
    throw new DimError('cli.usage', `${option} must be a number of seconds in (0, 86400], got "${text}"`);
  }
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** An ID, or an identity/contact file (`*.json`) holding one. */
function memberId(value: string): string {
  return value.endsWith('.json') ? parseId(pick(readJsonFile(value, 'member'), 'id')).text : parseId(value).text;
}

function groupId(value: string): string {
  const id = parseId(value);
  if (!id.isGroup || id.isBroadcast) throw new DimError('cli.usage', `${value} is not a group ID`);
  return id.text;
}

function line(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function infoJson(info: GroupInfo): Record<string, unknown> {
  return {
    group: info.id,
    ...(info.name === undefined ? {} : { name: info.name }),
    ...(info.owner === undefined ? {} : { owner: info.owner }),
    members: info.members,
    ...(info.administrators.length === 0 ? {} : { administrators: info.administrators }),
    ...(info.assistants.length === 0 ? {} : { assistants: info.assistants }),
    ...(info.requests.length === 0 ? {} : { requests: info.requests }),
  };
}

function resultJson(group: string, result: GroupSendResult): Record<string, unknown> {
  return {
    group,
    mode: result.mode,
    recipients: result.recipients,
    ...(result.missing.length === 0 ? {} : { missing: result.missing }),
    ...(result.message === undefined ? {} : { id: result.message.id }),
  };
}

/** Resolves after `QUIET_MS` without received traffic (at most `MAX_SETTLE_MS`): the inbox drain is over. */
function quiet(messenger: Messenger, groups: Groups): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: ReturnType<typeof setTimeout>;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(cap);
      for (const off of offs) off();
      resolve();
    };
    const again = () => {
      clearTimeout(timer);
      timer = setTimeout(done, QUIET_MS);
    };
    const offs = [
      messenger.on('message', again),
      messenger.on('group', again),
      messenger.on('contact', again),
      messenger.on('receipt', again),
    ];
    const cap = setTimeout(done, MAX_SETTLE_MS);
    again();
  }).then(() => groups.idle());
}

/**
 * Runs `action` with the profile's messenger connected to the station and its groups up to date
 * (what the station kept for us applied first), then waits for the group work and closes.
 */
async function connected<T>(
  options: StationOptions,
  agent: string,
  action: (groups: Groups, context: { store: SqliteClientStore; timeoutMs: number }) => Promise<T>,
): Promise<T> {
  const timeoutMs = seconds(options.timeout, '--timeout') * 1000;
  const transport = transportForUrl(options.station);
  const store = await openProfileFrom(options);
  const messenger = new Messenger({
    identity: store.identity,
    store,
    transport,
    backend: nodeBackend,
    agent,
    lookupTimeoutMs: timeoutMs,
  });
  const groups = new Groups({ messenger, identity: store.identity, backend: nodeBackend });
  try {
    await messenger.start();
    await whenRunning(messenger, options.station, timeoutMs);
    await quiet(messenger, groups);
    const result = await action(groups, { store, timeoutMs });
    await groups.idle();
    return result;
  } finally {
    await messenger.stop();
    groups.close();
    await store.close();
  }
}

/** Sends, waits for the station's receipt of every copy, prints the outcome. */
async function deliver(
  groups: Groups,
  group: string,
  timeoutMs: number,
  send: () => Promise<GroupSendResult>,
): Promise<void> {
  const result = await send();
  if (result.message !== undefined) await groups.waitForStation(result.message.id, timeoutMs);
  line({ ...resultJson(group, result), members: await groups.members(group) });
}

function stationOptions(command: Command): Command {
  return command
    .requiredOption('--station <url>', 'the station: ws://host:port/ (WebSocket) or tcp://host:port (MTP)')
    .option('--me <file>', 'an identity file (its profile in --home is created on first use)')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .option('--profile <id>', 'which profile of --home, when it holds several')
    .option('--timeout <seconds>', 'how long to wait for the station', '30');
}

function profileOptions(command: Command): Command {
  return command
    .option('--me <file>', 'an identity file')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .option('--profile <id>', 'which profile of --home, when it holds several');
}

/** Group commands that talk to a station (`dim group create|invite|reset|expel|quit|join|query|send`) and read the profile (`members`, `list`). */
export function registerGroupNetworkCommands(group: Command): void {
  stationOptions(
    group
      .command('create')
      .description('create a group (meta + bulletin pushed to the station), with us as owner; prints its ID')
      .requiredOption('--name <name>', 'the group name (in the bulletin)')
      .option('--member <id>', 'a member (an ID or an identity/contact file); repeatable', collect, [])
      .option('--admin <id>', 'an administrator (named in the bulletin); repeatable', collect, [])
      .option('--assistant <id>', 'a group assistant bot (named in the bulletin); repeatable', collect, [])
      .option('--out <file>', 'also write the group file ({id, meta, bulletin, founder, members})'),
  ).action(
    (
      options: StationOptions & { name: string; member: string[]; admin: string[]; assistant: string[]; out?: string },
    ) =>
      connected(options, 'dim group', async (groups, { timeoutMs }) => {
        const made = await groups.create({
          name: options.name,
          members: options.member.map(memberId),
          administrators: options.admin.map(memberId),
          assistants: options.assistant.map(memberId),
        });
        if (made.message !== undefined) await groups.waitForStation(made.message.id, timeoutMs);
        if (options.out !== undefined) {
          const contact = await groups.contact(made.group);
          const members = (await groups.members(made.group)).map((id) => parseId(id));
          const file = groupToJson({
            id: contact.id,
            meta: contact.meta,
            bulletin: contact.visa!,
            founder: parseId(groups.id),
            members,
          });
          writeFileAtomic(options.out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o644 });
        }
        line({ ...resultJson(made.group, made), members: await groups.members(made.group) });
      }),
  );

  const changes: [string, string, (groups: Groups, group: string, ids: string[]) => Promise<GroupSendResult>][] = [
    [
      'invite',
      'add members (owner or administrator: sent as a reset with the longer list)',
      (g, id, m) => g.invite(id, m),
    ],
    ['reset', 'set the full member list, owner first (owner or administrator)', (g, id, m) => g.reset(id, m)],
    ['expel', 'remove members (owner or administrator: sent as a reset without them)', (g, id, m) => g.expel(id, m)],
  ];
  for (const [name, description, change] of changes) {
    stationOptions(
      group
        .command(name)
        .description(description)
        .argument('<group>', 'the group ID')
        .argument('<members...>', 'member IDs (or identity/contact files)'),
    ).action((target: string, members: string[], options: StationOptions) =>
      connected(options, 'dim group', async (groups, { timeoutMs }) => {
        const id = groupId(target);
        await deliver(groups, id, timeoutMs, () => change(groups, id, members.map(memberId)));
      }),
    );
  }

  const requests: [string, string, (groups: Groups, group: string) => Promise<GroupSendResult>][] = [
    ['quit', 'leave the group (not its owner or administrators)', (g, id) => g.quit(id)],
    ['join', 'ask the owner and administrators (or the assistant) to be let in', (g, id) => g.join(id)],
  ];
  for (const [name, description, request] of requests) {
    stationOptions(group.command(name).description(description).argument('<group>', 'the group ID')).action(
      (target: string, options: StationOptions) =>
        connected(options, 'dim group', async (groups, { timeoutMs }) => {
          const id = groupId(target);
          await deliver(groups, id, timeoutMs, () => request(groups, id));
        }),
    );
  }

  stationOptions(
    group
      .command('query')
      .description("ask the owner (or the assistant) for the group's member list; prints what is known then")
      .argument('<group>', 'the group ID')
      .option('--wait <seconds>', 'how long to wait for the answer', '5'),
  ).action((target: string, options: StationOptions & { wait: string }) =>
    connected(options, 'dim group', async (groups, { timeoutMs }) => {
      const id = groupId(target);
      const waitMs = seconds(options.wait, '--wait') * 1000;
      const answered = new Promise<void>((resolve) => {
        const timer = setTimeout(finish, waitMs);
        const off = groups.on('group', (e) => {
          if (e.group === id) finish();
        });
        function finish() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
      const sent = await groups.query(id);
      if (sent.message !== undefined) await groups.waitForStation(sent.message.id, timeoutMs);
      await answered;
      await groups.idle();
      const info = await groups.info(id);
      line(info === undefined ? { group: id, members: [] } : infoJson(info));
    }),
  );

  stationOptions(
    group
      .command('send')
      .description("send a text to the group's members; exits 0 once the station has every copy")
      .argument('<group>', 'the group ID')
      .requiredOption('--text <text>', 'the text to send'),
  ).action((target: string, options: StationOptions & { text: string }) =>
    connected(options, 'dim group', async (groups, { timeoutMs }) => {
      const id = groupId(target);
      await deliver(groups, id, timeoutMs, () => groups.send(id, createTextContent(options.text)));
    }),
  );

  profileOptions(
    group
      .command('members')
      .description('print the member list of a group as this profile knows it (no station needed)')
      .argument('<group>', 'the group ID'),
  ).action((target: string, options: ProfileOptions) =>
    offline(options, async (groups) => {
      const info = await groups.info(groupId(target));
      if (info === undefined) throw new DimError('group.unknown', `this profile knows no group ${target}`);
      line(infoJson(info));
    }),
  );

  profileOptions(
    group.command('list').description('print every group this profile knows, one JSON line each (no station needed)'),
  ).action((options: ProfileOptions) =>
    offline(options, async (groups) => {
      for (const info of await groups.list()) line(infoJson(info));
    }),
  );
}

/** The profile's groups without a connection (a messenger that is never started). */
async function offline(options: ProfileOptions, action: (groups: Groups) => Promise<void>): Promise<void> {
  const store = await openProfileFrom(options);
  try {
    // Never started: only its store and contacts are read.
    const messenger = new Messenger({ identity: store.identity, store, transport: NO_STATION, backend: nodeBackend });
    const groups = new Groups({ messenger, identity: store.identity, backend: nodeBackend });
    await action(groups);
    groups.close();
  } finally {
    await store.close();
  }
}
