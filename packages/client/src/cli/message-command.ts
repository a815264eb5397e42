import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError } from '@dimkit/protocol';
import {
  contactEncryptionKey,
  contactVerifyKeys,
  parseContact,
  parseGroup,
  parseIdentity,
  type Identity,
} from '@dimkit/protocol/account';
import { contentFromWire } from '@dimkit/protocol/compat';
import { ContentType, createContent, parseContent, type Content } from '@dimkit/protocol/content';
import {
  openMessage,
  parseReliableMessage,
  sealMessage,
  senderAttachments,
  type InstantMessage,
} from '@dimkit/protocol/dkd';
import { documentToDict, metaToDict, parseId, verificationKeysFor, type ID } from '@dimkit/protocol/mkm';
import { printJson, readJsonFile, readStdin } from './_io.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface SealOptions {
  from: string;
  to?: string;
  group?: string;
  member: string[];
  broadcast?: string;
  text?: string;
  content?: string;
  attach?: boolean;
}

function contentFrom(options: SealOptions, group: ID | undefined): Content {
  if ((options.text === undefined) === (options.content === undefined)) {
    throw new DimError('cli.usage', 'give exactly one of --text and --content');
  }
  const groupOption = group === undefined ? {} : { group: group.text };
  if (options.text !== undefined) return createContent(ContentType.TEXT, { text: options.text }, groupOption);
  const json = readJsonFile(options.content!, 'content') as Record<string, unknown>;
  const base = createContent(0, {}, groupOption);
  return parseContent(contentFromWire({ sn: base.sn, time: base.time, ...groupOption, ...(json as object) } as never));
}

function seal(options: SealOptions): unknown {
  const targets = [options.to, options.group, options.broadcast].filter((t) => t !== undefined).length;
  if (targets !== 1) throw new DimError('cli.usage', 'give exactly one of --to, --group and --broadcast');
  const me = parseIdentity(readJsonFile(options.from, 'sender identity'), nodeBackend);
  const attach = options.attach
    ? { meta: metaToDict(me.meta), ...(me.visa ? { visa: documentToDict(me.visa) } : {}) }
    : {};
  const instantFor = (receiver: ID, group?: ID): InstantMessage =>
    ({
      sender: me.id.text,
      receiver: receiver.text,
      time: Date.now() / 1000,
      ...attach,
      content: contentFrom(options, group),
    }) as InstantMessage;

  if (options.broadcast !== undefined) {
    const receiver = parseId(options.broadcast);
    if (!receiver.isBroadcast)
      throw new DimError('cli.usage', `--broadcast needs a broadcast ID, got ${receiver.text}`);
    return sealMessage(instantFor(receiver), { signer: me.privateKey, backend: nodeBackend });
  }
  if (options.group !== undefined) {
    const group = parseGroup(readJsonFile(options.group, 'group'), nodeBackend);
    if (options.member.length === 0) throw new DimError('cli.usage', '--group needs the members as --member FILE');
    const members = options.member.map((file) => parseContact(readJsonFile(file, 'member'), nodeBackend));
    const memberKeys = new Map(members.map((m) => [m.id.text, contactEncryptionKey(m, nodeBackend)]));
    if (!memberKeys.has(me.id.text)) memberKeys.set(me.id.text, contactEncryptionKey(me, nodeBackend));
    return sealMessage(instantFor(group.id, group.id), { signer: me.privateKey, memberKeys, backend: nodeBackend });
  }
  const to = parseContact(readJsonFile(options.to!, 'receiver'), nodeBackend);
  return sealMessage(instantFor(to.id), {
    signer: me.privateKey,
    receiverKey: contactEncryptionKey(to, nodeBackend),
    backend: nodeBackend,
  });
}

function senderVerifyKeys(me: Identity, message: ReturnType<typeof parseReliableMessage>, fromFile?: string) {
  if (fromFile !== undefined) {
    const from = parseContact(readJsonFile(fromFile, 'sender'), nodeBackend);
    if (from.id.text !== message.sender) {
      throw new DimError('message.sender', `the message is from ${message.sender}, not ${from.id.text}`);
    }
    return contactVerifyKeys(from, nodeBackend);
  }
  if (message.sender === me.id.text) return verificationKeysFor(me.meta, me.visa, nodeBackend);
  const attached = senderAttachments(message, undefined, nodeBackend);
  if (attached.meta === undefined) {
    throw new DimError('meta.missing', `no meta for the sender ${message.sender}: give --from FILE`);
  }
  return verificationKeysFor(attached.meta, attached.visa, nodeBackend);
}

async function open(options: { me: string; from?: string; group?: string }): Promise<unknown> {
  const me = parseIdentity(readJsonFile(options.me, 'reader identity'), nodeBackend);
  const message = parseReliableMessage(await readStdin());
  const verifyKeys = senderVerifyKeys(me, message, options.from);
  const instant = openMessage(message, {
    me: me.id.text,
    decryptKeys: me.decryptKeys,
    verifyKeys,
    backend: nodeBackend,
  });
  if (options.group !== undefined) {
    const group = parseGroup(readJsonFile(options.group, 'group'), nodeBackend);
    const claimed = instant.content['group'] ?? instant.group ?? instant.receiver;
    if (claimed !== group.id.text)
      throw new DimError('message.receiver', `the message is not for group ${group.id.text}`);
  }
  return instant;
}

export function registerMessageCommands(program: Command): void {
  const msg = program.command('msg').description('seal and open messages offline (no station)');
  msg
    .command('seal')
    .description('encrypt and sign a message; prints the reliable message JSON')
    .requiredOption('--from <file>', "the sender's identity file")
    .option('--to <file>', "the receiver's identity or contact file ({id, meta, visa})")
    .option('--group <file>', 'a group file: seal once for all --member files (a `keys` map)')
    .option('--member <file>', 'a group member (identity or contact file); repeatable', collect, [])
    .option('--broadcast <id>', 'a broadcast ID (everyone@everywhere, ...): plain, signed')
    .option('--text <text>', 'a text content')
    .option('--content <file>', 'a content JSON file')
    .option('--attach', "attach the sender's meta and visa (first contact)")
    .action((options: SealOptions) => printJson(seal(options)));
  msg
    .command('open')
    .description('verify and decrypt a reliable message read on stdin; prints the instant message JSON')
    .requiredOption('--me <file>', "the reader's identity file")
    .option('--from <file>', "the sender's identity or contact file (else the attached meta/visa)")
    .option('--group <file>', 'the group file, for a group message')
    .action(async (options: { me: string; from?: string; group?: string }) => printJson(await open(options)));
}
