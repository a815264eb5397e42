import { createInterface, type Interface } from 'node:readline';
import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError, isDimError } from '@dimkit/protocol';
import { createTextContent, isFileContent, type Content } from '@dimkit/protocol/content';
import { documentName, parseId } from '@dimkit/protocol/mkm';
import type { StoredMessage } from '../core/client-store.js';
import { Groups } from '../core/groups/index.js';
import type { Messenger } from '../core/messenger.js';
import { DEFAULT_HOME } from '../node/profile.js';
import type { SqliteClientStore } from '../node/sqlite-store.js';
import { messengerFor, openProfileFrom, type ProfileFlags } from './_session.js';
import { fitRows, messageLine, printable } from './chat-view.js';
import { localName, resolveTarget } from './contacts-book.js';
import { saveFile } from './files-command.js';
import { progressLine } from './files-progress.js';
import { fileContentFromPath } from './files-send.js';

interface ChatOptions extends ProfileFlags {
  station: string;
  history: string;
}

const HELP =
  'type a message and press Enter · /file PATH sends a file · /get ID [DIR] saves a received file · /retry sends failed messages again · /quit (or Ctrl-D)';

/**
 * One `dim chat` session: the conversation with a user or a group, drawn from the store (the source of
 * truth) and redrawn on every change. On a terminal the whole screen is redrawn (header, the newest
 * messages, the input line at the bottom); otherwise each new message and each change of a mark is
 * printed as a line, which keeps it usable from scripts.
 */
class ChatSession {
  readonly #messenger: Messenger;
  readonly #store: SqliteClientStore;
  readonly #groups: Groups;
  readonly #target: string;
  readonly #isGroup: boolean;
  readonly #station: string;
  readonly #names = new Map<string, string>();
  readonly #messages = new Map<number, StoredMessage>();
  readonly #tty: boolean;
  readonly #out: NodeJS.WriteStream;
  #rl: Interface | undefined;
  #status = '';
  #notice = '';
  #elsewhere = new Map<string, number>();
  #redrawQueued = false;
  #incoming: Promise<void> = Promise.resolve();
  #closing = false;
  #done: () => void = () => {};

  constructor(messenger: Messenger, store: SqliteClientStore, groups: Groups, target: string, station: string) {
    this.#messenger = messenger;
    this.#store = store;
    this.#groups = groups;
    this.#target = target;
    this.#isGroup = parseId(target).isGroup;
    this.#station = station;
    this.#out = process.stdout;
    this.#tty = process.stdout.isTTY === true && process.stdin.isTTY === true;
  }

  async run(historyCount: number): Promise<void> {
    const me = this.#messenger.id;
    const myVisa = this.#store.identity.visa;
    this.#names.set(me, (myVisa === undefined ? undefined : documentName(myVisa)) ?? 'me');
    for (const message of await this.#store.listMessages(this.#target, { limit: historyCount })) {
      this.#messages.set(message.id, message);
    }
    for (const message of this.#messages.values()) await this.#learnName(message.sender);
    await this.#learnName(this.#target);

    const m = this.#messenger;
    m.on('state', (e) => {
      this.#status = e.state === 'waiting' ? `waiting (${e.reason ?? 'disconnected'})` : e.state;
      // (No lookup of the peer here: its visa comes with its first message. An early lookup of a user the
      // station does not know yet would hold that user's first message back until the next query.)
      if (e.state === 'running') void this.#markRead();
      this.#redraw();
    });
    m.on('message', ({ message }) => {
      if (message.conversation !== this.#target) {
        this.#elsewhere.set(message.conversation, (this.#elsewhere.get(message.conversation) ?? 0) + 1);
        void this.#learnName(message.conversation).then(() => this.#redraw());
        return;
      }
      // in order, each once its sender's name is known (a line printed in line mode stays as it is)
      this.#incoming = this.#incoming.then(async () => {
        await this.#learnName(message.sender);
        this.#show(message);
      });
      void this.#markRead();
    });
    m.on('receipt', ({ message }) => {
      if (message.conversation === this.#target) this.#show(message);
    });
    m.on('outbox', ({ item }) => {
      if (item.messageId === undefined) return;
      void this.#store.getMessage(item.messageId).then((message) => {
        if (message !== undefined && message.conversation === this.#target) this.#show(message);
      });
    });
    m.on('contact', ({ contact }) => {
      // The peer became known (it connected and wrote, say): what failed for want of its meta/visa goes now.
      if (contact.id.text === this.#target) {
        void this.#retryFailed((error) => /^(meta|visa)\.missing/.test(error ?? ''));
      }
      const name = contact.visa === undefined ? undefined : documentName(contact.visa);
      if (name !== undefined && !this.#names.has(contact.id.text)) {
        this.#names.set(contact.id.text, name);
        this.#redraw();
      }
    });
    m.on('rejected', (e) => {
      this.#notice = `rejected a message${e.sender === undefined ? '' : ` from ${this.#name(e.sender)}`}: ${e.code}`;
      this.#redraw();
    });

    // Line mode (no terminal) shows no prompt: its output is for scripts.
    this.#rl = createInterface({
      input: process.stdin,
      output: this.#out,
      prompt: this.#tty ? '> ' : '',
      terminal: this.#tty,
    });
    this.#rl.on('line', (line) => void this.#onLine(line));
    const finished = new Promise<void>((resolve) => (this.#done = resolve));
    this.#rl.on('close', () => this.#done());
    this.#rl.on('SIGINT', () => this.#rl?.close());
    process.once('SIGTERM', () => this.#rl?.close());
    if (!this.#tty) {
      this.#write(`chat with ${this.#name(this.#target)} (${this.#target}); ${HELP}\n`);
      for (const message of this.#messages.values()) this.#write(`${this.#line(message)}\n`);
    }
    this.#status = 'connecting';
    this.#redraw();
    await m.start();
    await finished;
    this.#closing = true;
    if (this.#tty) this.#out.write('\n');
  }

  async #learnName(id: string): Promise<void> {
    if (this.#names.has(id)) return;
    const local = await localName(this.#store, id);
    if (local !== undefined) {
      this.#names.set(id, local);
      return;
    }
    const contact = await this.#messenger.contacts.get(id);
    const name = contact?.visa === undefined ? undefined : documentName(contact.visa);
    if (name !== undefined) this.#names.set(id, name);
  }

  #name(id: string): string {
    return this.#names.get(id) ?? id;
  }

  #line(message: StoredMessage): string {
    return messageLine(message, this.#name(message.sender));
  }

  #show(message: StoredMessage): void {
    const known = this.#messages.get(message.id);
    this.#messages.set(message.id, message);
    if (!this.#tty) {
      if (known === undefined) this.#write(`${this.#line(message)}\n`);
      else if (known.state !== message.state) this.#write(`#${message.id} ${this.#line(message).split(': ').pop()}\n`);
      return;
    }
    this.#redraw();
  }

  /** Re-queues the failed outbox items of this conversation whose error `which` accepts; answers how many. */
  async #retryFailed(which: (error: string | undefined) => boolean): Promise<number> {
    let retried = 0;
    for (const item of await this.#store.listOutbox()) {
      if (item.state !== 'failed' || item.messageId === undefined || !which(item.lastError)) continue;
      const message = await this.#store.getMessage(item.messageId);
      if (message?.conversation !== this.#target) continue;
      await this.#messenger.retry(item.id);
      retried++;
    }
    return retried;
  }

  async #markRead(): Promise<void> {
    if (this.#messenger.state !== 'running') return;
    try {
      await this.#messenger.markRead(this.#target);
    } catch (error) {
      if (!isDimError(error)) throw error;
    }
  }

  #write(text: string): void {
    if (this.#closing) return;
    if (this.#rl !== undefined && this.#tty) this.#out.write('\r\x1b[K');
    this.#out.write(text);
  }

  /** Redraws the screen on the next turn (many events in a row draw once). */
  #redraw(): void {
    if (!this.#tty || this.#redrawQueued || this.#closing) return;
    this.#redrawQueued = true;
    setImmediate(() => {
      this.#redrawQueued = false;
      if (this.#closing) return;
      const width = this.#out.columns ?? 80;
      const height = this.#out.rows ?? 24;
      const kind = this.#isGroup ? 'group' : 'chat';
      const title = `dim ${kind} · ${this.#name(this.#target)} · ${this.#status}`;
      const others = [...this.#elsewhere].map(([id, n]) => `${this.#name(id)} (${n})`).join(', ');
      const info = this.#notice !== '' ? this.#notice : others !== '' ? `new elsewhere: ${others}` : HELP;
      const lines = [...this.#messages.values()].sort((a, b) => a.id - b.id).map((msg) => this.#line(msg));
      const body = fitRows(lines, width, Math.max(1, height - 4));
      const rule = '─'.repeat(Math.max(0, width));
      const screen = [printable(title).slice(0, width), printable(info).slice(0, width), rule, ...body].join('\r\n');
      this.#out.write(`\x1b[H\x1b[2J${screen}\r\n`);
      this.#rl?.prompt(true);
    });
  }

  #say(text: string): void {
    if (this.#tty) {
      this.#notice = text;
      this.#redraw();
    } else {
      this.#write(`${text}\n`);
    }
  }

  async #onLine(input: string): Promise<void> {
    const line = input.trim();
    if (line === '') {
      if (this.#tty) this.#rl?.prompt();
      return;
    }
    this.#notice = '';
    try {
      if (line === '/quit' || line === '/exit') {
        this.#rl?.close();
        return;
      }
      if (line === '/help') {
        this.#say(HELP);
      } else if (line.startsWith('/file ')) {
        const path = line.slice(6).trim();
        const content = await fileContentFromPath({
          messenger: this.#messenger,
          identity: this.#store.identity,
          station: this.#station,
          path,
          progress: 'none',
          timeoutMs: 30_000,
          ...(this.#isGroup ? { content: { group: this.#target } } : {}),
          onProgress: (done, total) => this.#say(progressLine(`upload ${path}`, done, total)),
        });
        await this.#send(content);
        this.#say(HELP);
      } else if (line.startsWith('/get ')) {
        const [idText, dir] = line.slice(5).trim().split(/\s+/, 2);
        const message = await this.#store.getMessage(Number(idText));
        if (message === undefined || !isFileContent(message.content)) {
          this.#say(`no file in message ${idText ?? ''}`);
        } else {
          const file = await saveFile(message.content, message.id, {
            out: dir === undefined ? '.' : dir.endsWith('/') ? dir : `${dir}/`,
            progress: 'none',
            onProgress: (done, total) => this.#say(progressLine(`download #${message.id}`, done, total)),
          });
          this.#say(`saved ${file}`);
        }
      } else if (line === '/retry') {
        const retried = await this.#retryFailed(() => true);
        this.#say(retried === 0 ? 'nothing to retry' : `retrying ${retried} message(s)`);
      } else if (line.startsWith('/')) {
        this.#say(`unknown command ${line.split(' ')[0]}; ${HELP}`);
      } else {
        await this.#send(createTextContent(line));
      }
    } catch (error) {
      if (!isDimError(error)) throw error;
      this.#say(`${error.message}`);
    }
  }

  async #send(content: Content): Promise<void> {
    const message = this.#isGroup
      ? (await this.#groups.send(this.#target, content)).message
      : await this.#messenger.send(this.#target, content);
    if (message !== undefined) this.#show(message);
  }
}

async function chat(targetText: string, options: ChatOptions): Promise<void> {
  const history = Number(options.history);
  if (!Number.isSafeInteger(history) || history < 0 || history > 10_000) {
    throw new DimError('cli.usage', `--history must be a number of messages 0–10000, got "${options.history}"`);
  }
  const store = await openProfileFrom(options);
  const messenger = messengerFor(store, options.station, 'dim chat');
  // Attached before start: group commands that arrive are applied to the member lists.
  const groups = new Groups({ messenger, identity: store.identity, backend: nodeBackend });
  try {
    const target = await resolveTarget(store, targetText);
    if (target === messenger.id) throw new DimError('cli.usage', 'that is your own ID');
    const id = parseId(target);
    if (id.isBroadcast) throw new DimError('cli.usage', `cannot chat with a broadcast ID (${target})`);
    if (id.isGroup && (await groups.info(target)) === undefined) {
      throw new DimError('cli.usage', `unknown group ${target}: create it or wait for an invitation (dim group)`);
    }
    await new ChatSession(messenger, store, groups, target, options.station).run(history);
  } finally {
    groups.close();
    await messenger.stop();
    await store.close();
  }
}

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('an interactive chat with a user or a group: history, live messages, delivered/read marks')
    .argument(
      '<id>',
      'a user or group ID, a contact name (dim contacts add ID --name NAME), or a contact/identity file',
    )
    .requiredOption('--station <url>', 'the station: ws://host:port/ (WebSocket) or tcp://host:port (MTP)')
    .option('--history <n>', 'how many earlier messages to show', '50')
    .option('--me <file>', 'an identity file (its profile in --home is created on first use)')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .option('--profile <id>', 'which profile of --home, when it holds several')
    .action((target: string, options: ChatOptions) => chat(target, options));
}
