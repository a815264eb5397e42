import { DimError, isDimError, type DimErrorCode } from '@dimkit/protocol';
import { GROUP_MAX_MEMBERS, createGroup, type Contact, type Identity } from '@dimkit/protocol/account';
import {
  CommandName,
  createDocumentsCommand,
  createGroupHistoryQuery,
  createJoinCommand,
  createQuitCommand,
  createResetCommand,
  isGroupHistoryQuery,
  type Content,
  type GroupCommand,
} from '@dimkit/protocol/content';
import type { CryptoBackend, PublicKey } from '@dimkit/protocol/crypto';
import { splitGroupMessage, type ReliableMessage } from '@dimkit/protocol/dkd';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { ANY_STATION, documentToDict, metaToDict, parseId, signDocument } from '@dimkit/protocol/mkm';
import type { StoredMessage } from '../client-store.js';
import { Emitter } from '../emitter.js';
import type { Delivery, GroupEvent, MessageEvent, Messenger } from '../messenger.js';
import { nowSeconds } from '../_records.js';
import { commandRecipients, planGroupDelivery, type GroupDeliveryPlan } from './delivery-plan.js';
import { MAX_GROUP_REQUESTS, type GroupRecord } from './group-record.js';
import { SettingsGroupStore, type GroupStore } from './group-store.js';
import { contactWhen, encryptionKeys } from './_contacts.js';
import { applyGroupCommand, type MembershipOutcome } from './membership.js';
import { packBroadcast, packGroupDocuments } from './group-history.js';
import { sealForMembers, sealForward } from './_pack.js';
import { bulletinRoles, isFounderMeta, type GroupRoles } from './roles.js';

export interface GroupsOptions {
  readonly messenger: Messenger;
  /** The messenger's own identity: its private key signs group commands and bulletins. */
  readonly identity: Identity;
  /** Crypto backend (Node: `nodeBackend`); default: pure JS. */
  readonly backend?: CryptoBackend;
  /** Where group records live; default: the messenger's store (`SettingsGroupStore`). */
  readonly store?: GroupStore;
  /** Group size from which one message with `keys` is split per member (default 16, wire spec §4.8). */
  readonly splitAt?: number;
}

/** The member list of a group changed (a received command, or one of ours). */
export interface GroupChangeEvent {
  readonly group: string;
  /** `reset`, `invite`, `expel` or `quit`. */
  readonly command: string;
  /** Who gave the command (us, for our own changes). */
  readonly sender: string;
  readonly members: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** A received group command that its sender may not give, or that breaks the rules. */
export interface GroupRefusalEvent {
  readonly group: string;
  readonly command: string;
  readonly sender: string;
  readonly code: DimErrorCode;
  readonly reason: string;
}

/** A request for the owner or an administrator: someone asks to join, an administrator resigns. */
export interface GroupRequestEvent {
  readonly group: string;
  readonly command: string;
  readonly sender: string;
  readonly reason: string;
}

/** Every group command processed, whatever came of it (the group assistant relays from this). */
export interface GroupCommandEvent {
  readonly event: GroupEvent;
  readonly outcome: MembershipOutcome;
  /** The members before and after. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly roles: GroupRoles;
  /** The group's meta and bulletin (when known). */
  readonly contact: Contact | undefined;
}

export interface GroupsErrorEvent {
  readonly error: unknown;
  readonly context: string;
}

export type GroupsEvents = {
  group: GroupChangeEvent;
  refused: GroupRefusalEvent;
  request: GroupRequestEvent;
  command: GroupCommandEvent;
  error: GroupsErrorEvent;
};

/** A group as this client knows it. */
export interface GroupInfo {
  readonly id: string;
  readonly name: string | undefined;
  readonly owner: string | undefined;
  readonly administrators: readonly string[];
  readonly assistants: readonly string[];
  /** Owner first. */
  readonly members: readonly string[];
  /** Users who asked to join. */
  readonly requests: readonly string[];
}

/** What a group message or command became. */
export interface GroupSendResult {
  /** The one stored message (in the group's conversation); undefined when nobody was left to send to. */
  readonly message: StoredMessage | undefined;
  /** How it left (wire spec §4.8); `command` for group commands and queries. */
  readonly mode: GroupDeliveryPlan['mode'] | 'command';
  /** Who it was sent to: members, or the assistant bot(s). */
  readonly recipients: readonly string[];
  /** Members left out: no meta/visa is known for them, so nothing could be sealed for them. */
  readonly missing: readonly string[];
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}

function nobody(mode: GroupSendResult['mode'], missing: readonly string[] = []): GroupSendResult {
  return { message: undefined, mode, recipients: [], missing };
}

/** `code: reason` as the outbox keeps it, back into a DimError. */
function deliveryFailure(receiver: string, lastError: string | undefined): DimError {
  const text = lastError ?? 'the message could not be sent';
  const colon = text.indexOf(': ');
  const code = colon > 0 ? text.slice(0, colon) : '';
  return /^[a-z]+\.[a-z_]+$/.test(code)
    ? new DimError(code as DimErrorCode, `to ${receiver}: ${text.slice(colon + 2)}`)
    : new DimError('client.timeout', `to ${receiver}: ${text}`);
}

/**
 * Groups on top of a messenger (wire spec §4.8, §6.6; station spec §3.3), with a lifetime: it
 * listens to the messenger's group commands and applies them to the stored member lists with the
 * owner/administrator rules (`applyGroupCommand`), answers history queries when it may, and
 * creates, changes and writes to groups as reference clients do:
 *
 * - group commands are signed broadcasts (receiver `anyone@anywhere`, `group` exposed), wrapped in
 *   a forward content and sent as personal messages to each member, or to the assistant bots when
 *   the bulletin names some; a `reset` goes with the group's meta and bulletin (its "history");
 * - group messages follow `planGroupDelivery`.
 *
 * Attach one to every messenger of a user (`new Groups({ messenger, identity })` before
 * `start()`): a group command that arrives while none listens is not applied.
 */
export class Groups {
  readonly #messenger: Messenger;
  readonly #identity: Identity;
  readonly #me: string;
  readonly #backend: CryptoBackend | undefined;
  readonly #store: GroupStore;
  readonly #splitAt: number | undefined;
  readonly #events: Emitter<GroupsEvents>;
  readonly #unsubscribe: (() => void)[];
  #work: Promise<void> = Promise.resolve();

  constructor(options: GroupsOptions) {
    if (options.messenger === undefined || options.identity === undefined) {
      throw new TypeError('Groups: messenger and identity are required');
    }
    if (options.identity.id.text !== options.messenger.id) {
      throw new TypeError(
        `Groups: the identity ${options.identity.id.text} is not the messenger's ${options.messenger.id}`,
      );
    }
    this.#messenger = options.messenger;
    this.#identity = options.identity;
    this.#me = options.identity.id.text;
    this.#backend = options.backend;
    this.#store = options.store ?? new SettingsGroupStore(options.messenger.store);
    this.#splitAt = options.splitAt;
    this.#events = new Emitter((error) => this.#events.emit('error', { error, context: 'listener' }));
    this.#unsubscribe = [
      this.#messenger.on('group', (event) =>
        this.#enqueue(`group command from ${event.sender}`, () => this.#receive(event)),
      ),
      this.#messenger.on('message', (event) => this.#onMessage(event)),
    ];
  }

  /** The local user's ID. */
  get id(): string {
    return this.#me;
  }

  get store(): GroupStore {
    return this.#store;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof GroupsEvents>(name: K, listener: (event: GroupsEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  off<K extends keyof GroupsEvents>(name: K, listener: (event: GroupsEvents[K]) => void): void {
    this.#events.off(name, listener);
  }

  /** Stops listening to the messenger. */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  /** Resolves when every group command received so far is processed. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.#work) {
      seen = this.#work;
      await seen;
    }
  }

  // ------------------------------------------------------------------ reading

  /** The members of `group` (owner first) as last known here; empty when unknown. */
  async members(group: string): Promise<readonly string[]> {
    return (await this.#store.get(parseId(group).text))?.members ?? [];
  }

  /** What this client knows of `group` (its bulletin from the contacts; nothing is fetched). */
  async info(group: string): Promise<GroupInfo | undefined> {
    const id = parseId(group).text;
    const record = await this.#store.get(id);
    const contact = await this.#messenger.contacts.get(id);
    if (record === undefined && contact === undefined) return undefined;
    const written = bulletinRoles(contact?.visa);
    const roles = contact === undefined ? undefined : await this.#roles(contact, undefined, false);
    return {
      id,
      name: written.name,
      owner: roles?.owner ?? written.founder,
      administrators: written.administrators,
      assistants: written.assistants,
      members: record?.members ?? [],
      requests: record?.requests ?? [],
    };
  }

  /** Every group with a member list here. */
  async list(): Promise<GroupInfo[]> {
    const out: GroupInfo[] = [];
    for (const id of await this.#store.list()) {
      const info = await this.info(id);
      if (info !== undefined) out.push(info);
    }
    return out;
  }

  // ------------------------------------------------------------------ changing

  /**
   * Creates a group as reference apps do (wire spec §3.4, §6.6): an MKM meta with seed
   * `Group-<random>` signed by our identity key (network 0x01), a bulletin naming us as founder
   * (and the given administrators and assistant bots), both pushed to `station@anywhere` with a
   * documents command, then a `reset` with us first and `members` after.
   */
  async create(options: {
    readonly name: string;
    readonly members?: readonly string[];
    readonly administrators?: readonly string[];
    readonly assistants?: readonly string[];
  }): Promise<GroupSendResult & { readonly group: string }> {
    if (typeof options.name !== 'string' || options.name === '') throw new TypeError('create: expected a group name');
    const ids = (list: readonly string[] | undefined) => unique((list ?? []).map((id) => parseId(id).text));
    const members = ids(options.members).filter((id) => id !== this.#me);
    const administrators = ids(options.administrators);
    const assistants = ids(options.assistants);
    const made = createGroup(this.#identity, {
      name: options.name,
      ...(this.#backend ? { backend: this.#backend } : {}),
    });
    const bulletin =
      administrators.length === 0 && assistants.length === 0
        ? made.bulletin
        : signDocument(
            {
              did: made.id,
              properties: {
                name: options.name,
                founder: this.#me,
                ...(administrators.length === 0 ? {} : { administrators }),
                ...(assistants.length === 0 ? {} : { assistants }),
              },
            },
            this.#identity.privateKey,
          );
    const group = made.id.text;
    const meta = metaToDict(made.meta);
    const document = documentToDict(bulletin);
    await this.#messenger.contacts.accept(group, meta, [document]);
    // station spec §3.3: stations keep group metas and bulletins as they keep visas.
    this.#messenger.sendCommand(ANY_STATION.text, createDocumentsCommand({ did: group, meta, documents: [document] }));
    const result = await this.#resetTo(group, [this.#me, ...members]);
    return { group, ...result };
  }

  /**
   * Sets the full member list (wire spec §6.6 `reset`, owner first). Only the owner or an
   * administrator may: DimError('group.permission'); a list not starting with the owner:
   * DimError('group.members'); an unknown group: DimError('group.unknown').
   */
  async reset(group: string, members: readonly string[]): Promise<GroupSendResult> {
    return this.#resetTo(
      parseId(group).text,
      members.map((id) => parseId(id).text),
    );
  }

  /**
   * Adds members. The owner or an administrator sends a `reset` with the longer list, as the
   * reference's group manager does (receivers apply it whatever they knew); others get
   * DimError('group.permission').
   */
  async invite(group: string, members: readonly string[]): Promise<GroupSendResult> {
    const id = parseId(group).text;
    const current = await this.#knownMembers(id);
    const added = unique(members.map((m) => parseId(m).text)).filter((m) => !current.includes(m));
    if (added.length === 0) return nobody('command');
    return this.#resetTo(id, [...current, ...added]);
  }

  /**
   * Removes members (the deprecated `expel`, wire spec §6.6): sent as a `reset` without them, as
   * reference apps do. The owner cannot be expelled: DimError('group.members').
   */
  async expel(group: string, members: readonly string[]): Promise<GroupSendResult> {
    const id = parseId(group).text;
    const current = await this.#knownMembers(id);
    const gone = new Set(members.map((m) => parseId(m).text));
    if (current[0] !== undefined && gone.has(current[0])) {
      throw new DimError('group.members', `the owner ${current[0]} cannot be expelled`);
    }
    return this.#resetTo(
      id,
      current.filter((m) => !gone.has(m)),
    );
  }

  /**
   * Leaves the group: a `quit` to the assistants, or to every member. The owner and the
   * administrators may not quit (DimError('group.permission')).
   */
  async quit(group: string): Promise<GroupSendResult> {
    const id = parseId(group).text;
    const contact = await this.contact(id);
    const roles = await this.#roles(contact, this.#me);
    if (roles.owner === this.#me) throw new DimError('group.permission', `the owner of ${id} cannot quit`);
    if (roles.administrators.includes(this.#me)) {
      throw new DimError('group.permission', `an administrator of ${id} must resign before quitting`);
    }
    const record = await this.#store.get(id);
    const before = record?.members ?? [];
    const command = createQuitCommand(id);
    if (record !== undefined && before.includes(this.#me)) {
      await this.#save(
        record,
        before.filter((m) => m !== this.#me),
        { command: CommandName.QUIT, sender: this.#me },
      );
    }
    const recipients = commandRecipients({ members: before, assistants: roles.assistants, me: this.#me });
    return this.#forward(id, command, recipients, [packBroadcast(this.#identity, command, id, this.#backend)]);
  }

  /** Asks to join: a `join` to the assistants, or to the owner and administrators. */
  async join(group: string): Promise<GroupSendResult> {
    const id = parseId(group).text;
    const contact = await this.contact(id);
    const roles = await this.#roles(contact, undefined);
    const command = createJoinCommand(id);
    const recipients = this.#deciders(roles);
    if (recipients.length === 0) throw new DimError('group.unknown', `no owner or assistant of ${id} is known`);
    return this.#forward(id, command, recipients, [packBroadcast(this.#identity, command, id, this.#backend)]);
  }

  /**
   * Asks for the group's history (the customized query of wire spec §5.2, a personal message) from
   * the assistants, or the owner and administrators; their answer (the meta, bulletin and latest
   * `reset`) is applied like any group command.
   */
  async query(group: string): Promise<GroupSendResult> {
    const id = parseId(group).text;
    const contact = await this.contact(id);
    const roles = await this.#roles(contact, undefined);
    const record = await this.#store.get(id);
    const recipients = this.#deciders(roles);
    if (recipients.length === 0) throw new DimError('group.unknown', `no owner or assistant of ${id} is known`);
    const content = createGroupHistoryQuery({
      group: id,
      ...(record?.resetTime === undefined ? {} : { last_time: record.resetTime }),
    });
    const message = await this.#messenger.sendMany(
      id,
      content,
      recipients.map((receiver) => ({ receiver })),
    );
    return { message, mode: 'command', recipients, missing: [] };
  }

  // ------------------------------------------------------------------ messages

  /**
   * Sends `content` to every other member (its `group` is set to `group`), as reference clients do
   * (wire spec §4.8): through an assistant bot when the bulletin names one, else one personal
   * message per member below 16 members, else one message sealed with a `keys` map and split per
   * member. Resolves with the one stored message (state `pending`; retried until the station's
   * receipts). Throws DimError('group.permission') when we are not a member.
   */
  async send(group: string, content: Content): Promise<GroupSendResult> {
    const id = parseId(group).text;
    const record = await this.#store.get(id);
    if (record === undefined || !record.members.includes(this.#me)) {
      throw new DimError('group.permission', `${this.#me} is not a member of ${id}`);
    }
    const contact = await this.contact(id);
    const body = content.group === id ? content : ({ ...content, group: id } as Content);
    const assistants = bulletinRoles(contact.visa).assistants;
    const input = {
      members: record.members,
      assistants,
      me: this.#me,
      ...(this.#splitAt === undefined ? {} : { splitAt: this.#splitAt }),
    };
    let plan = planGroupDelivery(input);
    let bot: { readonly id: string; readonly key: PublicKey } | undefined;
    if (plan.mode === 'assistant') {
      const found = await encryptionKeys(this.#messenger, [plan.assistant], this.#backend);
      const key = found.keys.get(plan.assistant);
      // No key for the bot (unknown to the station): the members get it without it.
      if (key === undefined) plan = planGroupDelivery({ ...input, assistants: [] });
      else bot = { id: plan.assistant, key };
    }
    if (plan.recipients.length === 0) return nobody(plan.mode);
    if (plan.mode === 'personal') {
      const message = await this.#messenger.sendMany(
        id,
        body,
        plan.recipients.map((receiver) => ({ receiver })),
      );
      return { message, mode: 'personal', recipients: plan.recipients, missing: [] };
    }
    const { keys, missing } = await encryptionKeys(this.#messenger, plan.recipients, this.#backend);
    if (keys.size === 0) return nobody(plan.mode, missing);
    const sealed = sealForMembers(this.#identity, id, body, keys, {
      exposeSn: plan.mode === 'assistant',
      ...(this.#backend ? { backend: this.#backend } : {}),
    });
    let deliveries: Delivery[];
    if (plan.mode === 'assistant' && bot !== undefined) {
      deliveries = [
        { receiver: bot.id, reliable: sealForward(this.#identity, bot.id, bot.key, [sealed], this.#backend) },
      ];
    } else {
      deliveries = [...keys.keys()].map((member) => ({
        receiver: member,
        reliable: splitGroupMessage(sealed, member),
      }));
    }
    const message = await this.#messenger.sendMany(id, body, deliveries);
    return { message, mode: plan.mode, recipients: [...keys.keys()], missing };
  }

  /**
   * Resolves when every copy of a sent group message (or command) has the station's receipt;
   * rejects with the failure's DimError when one failed, DimError('client.timeout') after
   * `timeoutMs` (the copies stay in the outbox).
   */
  async waitForStation(messageId: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const items = (await this.#messenger.store.listOutbox()).filter((item) => item.messageId === messageId);
      const failed = items.find((item) => item.state === 'failed');
      if (failed !== undefined) throw deliveryFailure(failed.receiver, failed.lastError);
      if (items.length === 0) return;
      if (Date.now() >= deadline) {
        throw new DimError(
          'client.timeout',
          `${items.length} copies of the group message have no station receipt within ${Math.round(timeoutMs / 1000)} s; they stay in the outbox`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // ------------------------------------------------------------------ receiving

  #enqueue(context: string, job: () => Promise<void>): void {
    this.#work = this.#work.then(job).catch((error) => this.#events.emit('error', { error, context }));
  }

  #onMessage(event: MessageEvent): void {
    const content = event.message.content;
    if (!isGroupHistoryQuery(content)) return;
    const sender = event.message.sender;
    const lastTime = typeof content.last_time === 'number' ? content.last_time : undefined;
    this.#enqueue(`group history query from ${sender}`, () => this.#answerQuery(content.group, sender, lastTime));
  }

  async #receive(event: GroupEvent): Promise<void> {
    const command = event.content as GroupCommand;
    let group: string;
    try {
      const id = parseId(command.group);
      // Broadcast groups (everyone@everywhere) have no member list to keep.
      if (!id.isGroup || id.isBroadcast) return;
      group = id.text;
    } catch (error) {
      if (isDimError(error)) return;
      throw error;
    }
    if (command.command === CommandName.QUERY) {
      const lastTime = typeof command['last_time'] === 'number' ? command['last_time'] : undefined;
      await this.#answerQuery(group, event.sender, lastTime);
      return;
    }
    let contact: Contact | undefined;
    try {
      contact = await this.contact(group);
    } catch (error) {
      if (!isDimError(error)) throw error;
    }
    const roles: GroupRoles =
      contact === undefined
        ? { owner: undefined, administrators: [], assistants: [] }
        : await this.#roles(contact, event.sender);
    const record = await this.#store.get(group);
    const before = record?.members ?? [];
    const outcome = applyGroupCommand(record, roles, event.sender, command);
    let after = before;
    const base = { group, command: command.command, sender: event.sender };
    switch (outcome.kind) {
      case 'refused':
        this.#events.emit('refused', { ...base, code: outcome.code, reason: outcome.reason });
        break;
      case 'request':
        if (command.command === CommandName.JOIN) {
          const requests = unique([...(record?.requests ?? []), event.sender]).slice(-MAX_GROUP_REQUESTS);
          await this.#store.put({ ...(record ?? { id: group, members: [] }), requests, updatedAt: nowSeconds() });
        }
        this.#events.emit('request', { ...base, reason: outcome.reason });
        break;
      case 'accepted':
        after = outcome.members;
        await this.#save(record ?? { id: group, members: [], requests: [], updatedAt: 0 }, outcome.members, {
          command: command.command,
          sender: event.sender,
          ...(outcome.resetTime === undefined ? {} : { resetTime: outcome.resetTime }),
          ...(command.command === CommandName.RESET ? { resetMessage: event.message } : {}),
        });
        break;
      case 'ignored':
        break;
    }
    this.#events.emit('command', { event, outcome, before, after, roles, contact });
  }

  /** Sends the group's history (meta, bulletin, latest `reset`) to `requester` if we may and it is newer. */
  async #answerQuery(group: string, requester: string, lastTime: number | undefined): Promise<void> {
    const record = await this.#store.get(group);
    if (record?.resetMessage === undefined) return;
    const contact = await this.contact(group);
    const roles = await this.#roles(contact, undefined);
    const mayAnswer =
      roles.owner === this.#me || roles.administrators.includes(this.#me) || roles.assistants.includes(this.#me);
    if (!mayAnswer || requester === this.#me) return;
    if (!record.members.includes(requester) && !roles.administrators.includes(requester)) {
      this.#events.emit('refused', {
        group,
        command: CommandName.QUERY,
        sender: requester,
        code: 'group.permission',
        reason: `${requester} is not a member of ${group}: no history for it`,
      });
      return;
    }
    if (lastTime !== undefined && record.resetTime !== undefined && lastTime >= record.resetTime) return;
    const history = [
      packGroupDocuments(this.#identity, { id: group, meta: contact.meta, bulletin: contact.visa }, this.#backend),
      record.resetMessage as ReliableMessage,
    ];
    await this.#forward(group, createGroupHistoryQuery({ group }), [requester], history);
  }

  // ------------------------------------------------------------------ internals

  async #save(
    record: GroupRecord,
    members: readonly string[],
    change: {
      readonly command: string;
      readonly sender: string;
      readonly resetTime?: number;
      readonly resetMessage?: ReliableMessage;
    },
  ): Promise<void> {
    const next: GroupRecord = {
      id: record.id,
      members,
      ...(change.resetTime === undefined
        ? record.resetTime === undefined
          ? {}
          : { resetTime: record.resetTime }
        : { resetTime: change.resetTime }),
      ...(change.resetMessage === undefined
        ? record.resetMessage === undefined
          ? {}
          : { resetMessage: record.resetMessage }
        : { resetMessage: change.resetMessage as JsonObject }),
      requests: record.requests.filter((id) => !members.includes(id)),
      updatedAt: nowSeconds(),
    };
    await this.#store.put(next);
    const old = new Set(record.members);
    const now = new Set(members);
    const added = members.filter((id) => !old.has(id));
    const removed = record.members.filter((id) => !now.has(id));
    if (added.length > 0 || removed.length > 0) {
      this.#events.emit('group', {
        group: record.id,
        command: change.command,
        sender: change.sender,
        members,
        added,
        removed,
      });
    }
  }

  async #resetTo(group: string, list: readonly string[]): Promise<GroupSendResult> {
    const contact = await this.contact(group);
    const roles = await this.#roles(contact, this.#me);
    if (roles.owner !== this.#me && !roles.administrators.includes(this.#me)) {
      throw new DimError('group.permission', `only the owner or an administrator may change the members of ${group}`);
    }
    const members = unique(list);
    if (roles.owner === undefined || members[0] !== roles.owner) {
      throw new DimError(
        'group.members',
        `the member list of ${group} must start with its owner ${roles.owner ?? '(unknown)'}`,
      );
    }
    if (members.length > GROUP_MAX_MEMBERS) {
      throw new DimError('group.members', `${members.length} members: at most ${GROUP_MAX_MEMBERS}`);
    }
    const record = (await this.#store.get(group)) ?? { id: group, members: [], requests: [], updatedAt: 0 };
    const command = createResetCommand(group, members);
    const message = packBroadcast(this.#identity, command, group, this.#backend);
    await this.#save(record, members, {
      command: CommandName.RESET,
      sender: this.#me,
      resetTime: command.time,
      resetMessage: message,
    });
    const removed = record.members.filter((id) => !members.includes(id));
    const history = [
      packGroupDocuments(this.#identity, { id: group, meta: contact.meta, bulletin: contact.visa }, this.#backend),
      message,
    ];
    const recipients = commandRecipients({ members, assistants: roles.assistants, me: this.#me, extra: removed });
    return this.#forward(group, command, recipients, history);
  }

  /** `messages` in a forward content to each recipient, sealed now (one stored message showing `shown`). */
  async #forward(
    group: string,
    shown: Content,
    recipients: readonly string[],
    messages: readonly ReliableMessage[],
  ): Promise<GroupSendResult> {
    if (recipients.length === 0) return nobody('command');
    const { keys, missing } = await encryptionKeys(this.#messenger, recipients, this.#backend);
    const deliveries: Delivery[] = [...keys].map(([receiver, key]) => ({
      receiver,
      reliable: sealForward(this.#identity, receiver, key, messages, this.#backend),
    }));
    if (deliveries.length === 0) return nobody('command', missing);
    const message = await this.#messenger.sendMany(group, shown, deliveries);
    return { message, mode: 'command', recipients: [...keys.keys()], missing };
  }

  /** The members known here; DimError('group.unknown') when there is no member list. */
  async #knownMembers(group: string): Promise<readonly string[]> {
    const record = await this.#store.get(group);
    if (record === undefined || record.members.length === 0) {
      throw new DimError('group.unknown', `no member list of ${group} here: ask for it with query`);
    }
    return record.members;
  }

  /** The owner and administrators, or the assistants when there are some: who decides on requests. */
  #deciders(roles: GroupRoles): string[] {
    const bots = roles.assistants.filter((id) => id !== this.#me);
    if (bots.length > 0) return bots;
    return unique([...(roles.owner === undefined ? [] : [roles.owner]), ...roles.administrators]).filter(
      (id) => id !== this.#me,
    );
  }

  /**
   * The group's meta and bulletin: known, else asked of the station (waiting for the bulletin
   * too). Throws DimError('group.unknown') when the station knows no meta for it.
   */
  async contact(group: string): Promise<Contact> {
    const known = await this.#messenger.contacts.get(group);
    if (known !== undefined) return known;
    const fetched = await contactWhen(this.#messenger, group, (contact) => contact.visa !== undefined);
    if (fetched === undefined) throw new DimError('group.unknown', `no meta of group ${group} is known to the station`);
    return fetched;
  }

  /**
   * The group's roles. The owner is the bulletin's founder, or else `candidate` (the sender of a
   * command), once its meta key is proven to have made the group (`isFounderMeta`). With `fetch`
   * false only known contacts are used.
   */
  async #roles(contact: Contact, candidate: string | undefined, fetch = true): Promise<GroupRoles> {
    const written = bulletinRoles(contact.visa);
    let owner: string | undefined;
    for (const id of unique([written.founder, candidate].filter((x): x is string => x !== undefined))) {
      const user = await this.#userContact(id, fetch);
      if (user !== undefined && isFounderMeta(contact.meta, user.meta)) {
        owner = id;
        break;
      }
    }
    return { owner, administrators: written.administrators, assistants: written.assistants };
  }

  async #userContact(id: string, fetch: boolean): Promise<Contact | undefined> {
    if (id === this.#me) {
      return { id: this.#identity.id, meta: this.#identity.meta, visa: this.#identity.visa };
    }
    const known = await this.#messenger.contacts.get(id);
    if (known !== undefined || !fetch) return known;
    try {
      return await this.#messenger.contact(id);
    } catch (error) {
      if (isDimError(error)) return undefined;
      throw error;
    }
  }
}
