import { isDimError, type DimErrorCode } from '@dimkit/protocol';
import { contactVerifyKeys, type Contact, type Identity } from '@dimkit/protocol/account';
import { CommandName, createForwardContent } from '@dimkit/protocol/content';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import { splitGroupMessage, verifyMessage, type ReliableMessage } from '@dimkit/protocol/dkd';
import { parseId } from '@dimkit/protocol/mkm';
import { Emitter } from '../core/emitter.js';
import {
  bulletinRoles,
  Groups,
  packGroupDocuments,
  type GroupCommandEvent,
  type GroupsEvents,
} from '../core/groups/index.js';
import { Messenger, type MessengerOptions } from '../core/messenger.js';
import { nowSeconds } from '../core/_records.js';

export type GroupAssistantOptions = Omit<MessengerOptions, 'onForwarded'>;

/** A group message split and handed to the members (their copies wait in the outbox until the station has them). */
export interface SplitEvent {
  readonly group: string;
  readonly sender: string;
  readonly signature: string;
  readonly delivered: readonly string[];
  /** Members the sender sealed no key for. */
  readonly missing: readonly string[];
}

/** A group command relayed to the members (or, for a request, to the owner and administrators). */
export interface RelayedEvent {
  readonly group: string;
  readonly command: string;
  readonly sender: string;
  readonly recipients: readonly string[];
}

/** A forwarded group message the assistant would not split. */
export interface AssistantRefusalEvent {
  readonly group: string;
  readonly sender: string;
  readonly code: DimErrorCode;
  readonly reason: string;
}

export type GroupAssistantEvents = {
  split: SplitEvent;
  relayed: RelayedEvent;
  refused: AssistantRefusalEvent;
  error: GroupsEvents['error'];
};

/**
 * The group assistant bot (wire spec §4.8, station spec §3.3, dimpart/group-py): a DIM client
 * that receives, wrapped in forward contents, the messages of the groups whose bulletin names it:
 *
 * - a group message (receiver = the group, one key per member in `keys`) from a member is split
 *   (`splitGroupMessage`) and each copy goes to its member in a forward content; the assistant
 *   checks the sender's signature but never decrypts: it has no key in `keys`;
 * - a group command is applied to its member list with the members' rules (`Groups`) and
 *   relayed to the members before and after (a `reset` with the group's meta and bulletin);
 *   `join` goes to the owner and administrators;
 * - a history query from a member is answered with the meta, bulletin and latest `reset`.
 */
export class GroupAssistant {
  readonly messenger: Messenger;
  readonly groups: Groups;
  readonly #identity: Identity;
  readonly #me: string;
  readonly #backend: CryptoBackend | undefined;
  readonly #events: Emitter<GroupAssistantEvents>;
  #work: Promise<void> = Promise.resolve();

  constructor(options: GroupAssistantOptions) {
    this.#identity = options.identity;
    this.#me = options.identity.id.text;
    this.#backend = options.backend;
    this.#events = new Emitter((error) => this.#events.emit('error', { error, context: 'listener' }));
    this.messenger = new Messenger({ ...options, onForwarded: (message, from) => this.#onForwarded(message, from) });
    this.groups = new Groups({
      messenger: this.messenger,
      identity: options.identity,
      ...(options.backend === undefined ? {} : { backend: options.backend }),
    });
    this.groups.on('command', (event) => this.#enqueue('relay a group command', () => this.#relay(event)));
    this.groups.on('error', (event) => this.#events.emit('error', event));
  }

  get id(): string {
    return this.#me;
  }

  on<K extends keyof GroupAssistantEvents>(name: K, listener: (event: GroupAssistantEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  off<K extends keyof GroupAssistantEvents>(name: K, listener: (event: GroupAssistantEvents[K]) => void): void {
    this.#events.off(name, listener);
  }

  start(): Promise<void> {
    return this.messenger.start();
  }

  /** Stops the messenger and waits for the work in progress. The store stays open. */
  async stop(): Promise<void> {
    await this.messenger.stop();
    await this.idle();
    this.groups.close();
  }

  /** Resolves when everything received so far is split or relayed. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.#work) {
      seen = this.#work;
      await this.groups.idle();
      await seen;
    }
  }

  #enqueue(context: string, job: () => Promise<void>): void {
    this.#work = this.#work.then(job).catch((error) => this.#events.emit('error', { error, context }));
  }

  /** Group messages are taken unopened; everything else (group commands first) takes the usual way. */
  #onForwarded(message: ReliableMessage, from: string): boolean {
    let group: string;
    try {
      const receiver = parseId(message.receiver);
      if (!receiver.isGroup || receiver.isBroadcast) return false;
      group = receiver.text;
    } catch (error) {
      if (isDimError(error)) return false;
      throw error;
    }
    this.#enqueue(`split a message of ${group} from ${from}`, () => this.#split(group, message));
    return true;
  }

  #refuse(group: string, sender: string, code: DimErrorCode, reason: string): void {
    this.#events.emit('refused', { group, sender, code, reason });
  }

  async #split(group: string, message: ReliableMessage): Promise<void> {
    const sender = message.sender;
    const store = this.messenger.store;
    if (await store.hasSeen(message.signature)) return;
    let contact: Contact | undefined;
    try {
      contact = await this.groups.contact(group);
    } catch (error) {
      if (!isDimError(error)) throw error;
    }
    if (contact === undefined || !bulletinRoles(contact.visa).assistants.includes(this.#me)) {
      this.#refuse(group, sender, 'group.permission', `the bulletin of ${group} does not name ${this.#me}`);
      return;
    }
    const record = await this.groups.store.get(group);
    if (record === undefined) {
      this.#refuse(group, sender, 'group.unknown', `no member list of ${group}: its owner has not reset it here`);
      return;
    }
    if (!record.members.includes(sender)) {
      this.#refuse(group, sender, 'group.permission', `${sender} is not a member of ${group}`);
      return;
    }
    // The signature covers `data` only (wire spec §4.8), so it still proves the sender after the split.
    let verified = false;
    try {
      verified = verifyMessage(message, contactVerifyKeys(await this.messenger.contact(sender), this.#backend));
    } catch (error) {
      if (!isDimError(error)) throw error;
    }
    if (!verified) {
      this.#refuse(group, sender, 'signature.invalid', `the message of ${sender} to ${group} does not verify`);
      return;
    }
    const saved = await store.saveIncoming({ signature: message.signature, time: nowSeconds() });
    if (saved.duplicate) return;
    const delivered: string[] = [];
    const missing: string[] = [];
    for (const member of record.members) {
      if (member === sender || member === this.#me) continue;
      if (message.keys?.[member] === undefined) {
        missing.push(member);
        continue;
      }
      // As group-py does: each copy wrapped in a forward content, a personal message to the member.
      await this.messenger.send(member, createForwardContent(splitGroupMessage(message, member)));
      delivered.push(member);
    }
    this.#events.emit('split', { group, sender, signature: message.signature, delivered, missing });
  }

  async #relay(event: GroupCommandEvent): Promise<void> {
    const { outcome, before, after, roles, contact } = event;
    if (outcome.kind === 'refused' || outcome.kind === 'ignored' || contact === undefined) return;
    if (!roles.assistants.includes(this.#me)) return;
    const command = event.event.content['command'] as string;
    const sender = event.event.sender;
    const group = contact.id.text;
    const decides = (id: string) => id === roles.owner || roles.administrators.includes(id);
    const recipients =
      outcome.kind === 'request'
        ? [...(roles.owner === undefined ? [] : [roles.owner]), ...roles.administrators]
        : [...before, ...after];
    const targets = [...new Set(recipients)].filter(
      (id) => id !== sender && id !== this.#me && !roles.assistants.includes(id),
    );
    if (targets.length === 0 || (outcome.kind === 'accepted' && !before.includes(sender) && !decides(sender))) return;
    const messages =
      command === CommandName.RESET
        ? [
            packGroupDocuments(
              this.#identity,
              { id: group, meta: contact.meta, bulletin: contact.visa },
              this.#backend,
            ),
            event.event.message,
          ]
        : [event.event.message];
    await this.messenger.sendMany(
      group,
      createForwardContent(messages.length === 1 ? messages[0]! : messages),
      targets.map((receiver) => ({ receiver })),
    );
    this.#events.emit('relayed', { group, command, sender, recipients: targets });
  }
}
