import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { documentName } from '@dimkit/protocol/mkm';
import type { StoredMessage } from '../core/client-store.js';
import { Groups } from '../core/groups/index.js';
import { Messenger } from '../core/messenger.js';
import { DEFAULT_HOME, openProfile } from '../node/profile.js';
import type { SqliteClientStore } from '../node/sqlite-store.js';
import { transportForUrl } from '../node/transport-for-url.js';

interface ListenOptions {
  station: string;
  me?: string;
  home: string;
  profile?: string;
}

/** The setting that remembers the last message printed, so that a new `dim listen` prints what came meanwhile. */
const CURSOR = 'listen.cursor';

function line(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function messageLine(message: StoredMessage, backlog: boolean): Record<string, unknown> {
  return {
    event: 'message',
    id: message.id,
    sender: message.sender,
    receiver: message.receiver,
    ...(message.group === undefined ? {} : { group: message.group }),
    time: message.time,
    signature: message.signature,
    content: message.content,
    ...(backlog ? { backlog: true } : {}),
  };
}

/** Prints the messages stored since the last `dim listen` (received by `dim send` meanwhile, say). */
async function printBacklog(store: SqliteClientStore): Promise<number> {
  let cursor = Number((await store.getSetting(CURSOR)) ?? '0');
  for (;;) {
    const batch = await store.listIncomingAfter(cursor, 500);
    if (batch.length === 0) return cursor;
    for (const message of batch) line(messageLine(message, true));
    cursor = batch[batch.length - 1]!.id;
    await store.putSetting(CURSOR, String(cursor));
  }
}

/** `dim listen`: one JSON line per event until SIGINT/SIGTERM. */
async function listen(options: ListenOptions): Promise<void> {
  const transport = transportForUrl(options.station);
  const store = await openProfile({
    home: options.home,
    ...(options.me === undefined ? {} : { me: options.me }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  });
  const messenger = new Messenger({
    identity: store.identity,
    store,
    transport,
    backend: nodeBackend,
    agent: 'dim listen',
  });
  // Group commands that arrive are applied to the member lists (docs/client.md, Groups).
  const groups = new Groups({ messenger, identity: store.identity, backend: nodeBackend });
  groups.on('group', (e) => line({ event: 'members', ...e }));
  groups.on('refused', (e) => line({ event: 'group-refused', ...e }));
  groups.on('request', (e) => line({ event: 'group-request', ...e }));
  let cursor = 0;
  messenger.on('state', (e) => line({ event: 'state', ...e }));
  messenger.on('message', ({ message }) => {
    line(messageLine(message, false));
    if (message.id > cursor) {
      cursor = message.id;
      void store.putSetting(CURSOR, String(cursor));
    }
  });
  messenger.on('receipt', (e) =>
    line({
      event: 'receipt',
      id: e.message.id,
      state: e.state,
      from: e.from,
      ...(e.text === undefined ? {} : { text: e.text }),
    }),
  );
  messenger.on('contact', ({ contact }) => {
    const name = contact.visa === undefined ? undefined : documentName(contact.visa);
    line({ event: 'contact', id: contact.id.text, ...(name === undefined ? {} : { name }) });
  });
  messenger.on('group', (e) =>
    line({ event: 'group', group: e.group, command: e.command, sender: e.sender, content: e.content }),
  );
  // Our own messages' outbox changes (a failure, a wait for a contact); receipts we send are internal.
  messenger.on('outbox', ({ item }) => {
    if (item.kind !== 'message') return;
    line({
      event: 'outbox',
      id: item.id,
      kind: item.kind,
      ...(item.messageId === undefined ? {} : { message: item.messageId }),
      receiver: item.receiver,
      state: item.state,
      ...(item.lastError === undefined ? {} : { error: item.lastError }),
    });
  });
  messenger.on('rejected', (e) => line({ event: 'rejected', ...e }));
  messenger.on('error', (e) =>
    line({ event: 'error', context: e.context, reason: e.error instanceof Error ? e.error.message : String(e.error) }),
  );
  try {
    cursor = await printBacklog(store);
    await messenger.start();
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  } finally {
    await messenger.stop();
    await groups.idle();
    groups.close();
    await store.close();
  }
}

export function registerListenCommand(program: Command): void {
  program
    .command('listen')
    .description(
      'connect to a station and print one JSON line per event (messages, receipts, states) until interrupted',
    )
    .requiredOption('--station <url>', 'the station: ws://host:port/ (WebSocket) or tcp://host:port (MTP)')
    .option('--me <file>', 'an identity file (its profile in --home is created on first use)')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .option('--profile <id>', 'which profile of --home, when it holds several')
    .action((options: ListenOptions) => listen(options));
}
