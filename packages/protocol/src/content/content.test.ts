import { describe, expect, it } from 'vitest';
import { contentToWire } from '../compat/content.js';
import * as api from './index.js';
import type { Content } from './index.js';

const MOKI = 'moki@4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk';
const HULK = 'hulk@4YeVEN3aUnvC1DNUufCq1bs9zoBSJTzVEj';
const GROUP = 'Group-1024@WDmgoRT19UnyZGtARQunLtYaJ1GiAD913';
const AES = { algorithm: 'AES', data: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' };
const at = { sn: 412968873, time: 1545405083.5 };

/** [name, content, its guard] for one content of every family. */
const families: [string, Content, (c: Content) => boolean][] = [
  ['text', api.createTextContent('Hey guy!', at), api.isTextContent],
  ['file', api.createFileContent({ filename: 'a.pdf', URL: 'https://x/a', key: AES }, at), api.isFileContent],
  [
    'image',
    api.createImageContent({ URL: 'https://x/i', thumbnail: 'data:image/jpeg;base64,AAEC' }, at),
    api.isImageContent,
  ],
  ['audio', api.createAudioContent({ data: Uint8Array.from([1, 2]), duration: 2 }, at), api.isAudioContent],
  ['video', api.createVideoContent({ URL: 'https://x/v', snapshot: 'https://x/s' }, at), api.isVideoContent],
  ['page', api.createPageContent({ URL: 'https://dim.chat/', title: 'DIM' }, at), api.isPageContent],
  ['name card', api.createNameCard({ did: MOKI, name: 'moki' }, at), api.isNameCard],
  ['quote', api.createQuoteContent('re', { sender: MOKI, receiver: HULK, type: 1, sn: 5 }, at), api.isQuoteContent],
  ['money', api.createMoneyContent({ currency: 'USD', amount: 1.5 }, at), api.isMoneyContent],
  [
    'transfer',
    api.createTransferContent({ currency: 'USD', amount: 2, remitter: MOKI, remittee: HULK }, at),
    api.isTransferContent,
  ],
  ['array', api.createArrayContent([api.createTextContent('a', { ...at, sn: 1 })], at), api.isArrayContent],
  ['customized', api.createCustomizedContent({ app: 'x', mod: 'y', act: 'z', n: 1 }, at), api.isCustomizedContent],
  ['history query', api.createGroupHistoryQuery({ group: GROUP, last_time: 3 }, at), api.isGroupHistoryQuery],
  [
    'group keys',
    api.createGroupKeysContent({ act: 'request', group: GROUP, from: MOKI, digest: 'abc' }, at),
    api.isGroupKeysContent,
  ],
  ['combine', api.createCombineContent({ title: 'chat', messages: [{ sender: MOKI }] }, at), api.isCombineContent],
  ['forward', api.createForwardContent({ sender: MOKI, data: 'x', signature: 'y' }, at), api.isForwardContent],
  ['secrets', api.createForwardContent([{ sender: MOKI, data: 'x', signature: 'y' }], at), api.isForwardContent],
  ['application', api.createApplicationContent('chat.dim.x', { extra: {} }, at), api.isApplicationContent],
  ['command', api.createCommand('future', { x: 1 }, at), (c) => api.isCommand(c, 'future')],
  ['meta', api.createMetaCommand({ did: MOKI }, at), api.isMetaCommand],
  ['documents', api.createDocumentsCommand({ did: MOKI, last_time: 1 }, at), api.isDocumentsCommand],
  ['receipt', api.createReceiptCommand({ text: 'ok', origin: { sender: MOKI, sn: 3 } }, at), api.isReceiptCommand],
  ['handshake', api.createHandshakeCommand({ title: api.HandshakeTitle.HELLO }, at), api.isHandshakeCommand],
  [
    'login',
    api.createLoginCommand({ did: MOKI, agent: 'dimkit', station: { host: 'h', port: 9394 } }, at),
    api.isLoginCommand,
  ],
  ['report', api.createReportCommand({ title: api.ReportTitle.ONLINE }, at), api.isReportCommand],
  ['block', api.createBlockCommand({ list: [HULK] }, at), api.isBlockCommand],
  ['mute', api.createMuteCommand({}, at), api.isMuteCommand],
  ['ans', api.createAnsCommand({ names: ['moky', 'gsp'] }, at), api.isAnsCommand],
  ['invite', api.createInviteCommand(GROUP, [HULK], at), api.isInviteCommand],
  ['expel', api.createExpelCommand(GROUP, [HULK], at), api.isExpelCommand],
  ['join', api.createJoinCommand(GROUP, at), api.isJoinCommand],
  ['quit', api.createQuitCommand(GROUP, at), api.isQuitCommand],
  ['reset', api.createResetCommand(GROUP, [MOKI, HULK], at), api.isResetCommand],
  ['query', api.createQueryCommand(GROUP, 5, at), api.isQueryCommand],
  ['hire', api.createHireCommand(GROUP, { administrators: [HULK] }, at), api.isHireCommand],
  ['fire', api.createFireCommand(GROUP, { assistants: [HULK] }, at), api.isFireCommand],
  ['resign', api.createResignCommand(GROUP, at), api.isResignCommand],
];

/** Guards that cover a whole family on purpose (a file guard takes images too, …). */
const KIN = [
  ['file', 'image', 'audio', 'video'],
  ['money', 'transfer'],
  ['forward', 'secrets'],
  ['customized', 'history query', 'group keys'],
];
const related = (a: string, b: string) => a === b || KIN.some((kin) => kin.includes(a) && kin.includes(b));

describe('content constructors and guards', () => {
  it.each(families)('%s: is canonical, passes its own guard and no unrelated one', (name, content, guard) => {
    expect(api.parseContent(content)).toEqual(content);
    expect(guard(content)).toBe(true);
    expect(Object.keys(content).slice(0, 3)).toEqual(['type', 'sn', 'time']);
    expect(content.sn).toBe(at.sn);
    const unrelated = families.filter(([other]) => !related(name, other));
    for (const [, other] of unrelated) expect(guard(other)).toBe(false);
  });

  it('writes the §10.2 text content in the JS key order', () => {
    expect(JSON.stringify(api.createTextContent('Hey guy!', at))).toBe(
      '{"type":1,"sn":412968873,"time":1545405083.5,"text":"Hey guy!"}',
    );
  });

  it('defaults sn to the process counter and time to now, and puts group last', () => {
    const before = Date.now() / 1000;
    const a = api.createTextContent('a', { group: GROUP });
    const b = api.createTextContent('b');
    expect(api.isSerialNumber(a.sn)).toBe(true);
    expect(b.sn === a.sn + 1 || b.sn === 1).toBe(true);
    expect(a.time).toBeGreaterThanOrEqual(before);
    expect(Object.keys(a)).toEqual(['type', 'sn', 'time', 'text', 'group']);
  });

  it('writes file bytes as Base64 and leaves out absent fields', () => {
    const audio = api.createAudioContent({ data: Uint8Array.from([0, 1, 2]) }, at);
    expect(audio).toEqual({ type: 0x14, ...at, data: 'AAEC' });
  });

  it('writes group commands as type 137 with group and time', () => {
    const invite = api.createInviteCommand(GROUP, [HULK], at);
    expect(invite).toEqual({ type: 137, ...at, command: 'invite', members: [HULK], group: GROUP });
    expect(api.isGroupCommand(invite)).toBe(true);
    expect(api.isGroupCommand(api.createMetaCommand({ did: MOKI }, at))).toBe(false);
  });

  it('builds a recall from the recalled content (§5 notes)', () => {
    const file = api.createFileContent({ URL: 'https://x/a', filename: 'a.pdf' }, { ...at, group: GROUP });
    const recall = api.createRecallContent(file, '_recalled_');
    expect(recall).toEqual({
      type: 1,
      sn: file.sn,
      time: file.time,
      text: '_recalled_',
      format: 'markdown',
      action: 'recall',
      origin: { type: 16, sn: file.sn, URL: 'https://x/a', filename: 'a.pdf' },
      group: GROUP,
    });
    expect(api.isRecallContent(recall)).toBe(true);
    expect(api.isRecallContent(api.createTextContent('x', at))).toBe(false);
  });

  it('builds a receipt origin from a message without its data, keys and attachments (§6.3)', () => {
    const message = {
      sender: MOKI,
      receiver: HULK,
      time: 1,
      type: 1,
      data: 'x',
      key: 'k',
      keys: {},
      meta: {},
      visa: {},
      signature: 's',
      IV: 'i',
    };
    expect(api.receiptOrigin(message, 42)).toEqual({
      sender: MOKI,
      receiver: HULK,
      time: 1,
      type: 1,
      signature: 's',
      IV: 'i',
      sn: 42,
    });
  });

  it('lists forwarded messages and ANS names', () => {
    const one = { sender: MOKI };
    expect(api.forwardedMessages(api.createForwardContent(one, at))).toEqual([one]);
    expect(api.forwardedMessages(api.createForwardContent([one, one], at))).toEqual([one, one]);
    expect(api.ansNames(api.createAnsCommand({ names: ' moky  gsp ' }, at))).toEqual(['moky', 'gsp']);
  });

  it('throws TypeError or RangeError on a caller bug', () => {
    const bugs: [() => unknown, ErrorConstructor][] = [
      [() => api.createTextContent(5 as unknown as string), TypeError],
      [() => api.createTextContent('a', { sn: 0 }), RangeError],
      [() => api.createTextContent('a', { sn: 2 ** 31 }), RangeError],
      [() => api.createTextContent('a', { time: -1 }), RangeError],
      [() => api.createContent(-1), RangeError],
      [() => api.createFileContent({}), TypeError],
      [() => api.createPageContent({ title: 't' }), TypeError],
      [() => api.createCommand(''), TypeError],
      [() => api.createGroupCommand('login', GROUP), TypeError],
      [() => api.createInviteCommand(GROUP, []), TypeError],
      [() => api.createMoneyContent({ currency: 'USD', amount: NaN }), RangeError],
      [() => api.createNameCard({ did: undefined as unknown as string }), TypeError],
    ];
    for (const [bug, kind] of bugs) expect(bug).toThrow(kind);
  });

  it('gives a wire form for every family that reads back the same', () => {
    for (const [, content] of families) {
      const back = api.parseContent(JSON.parse(JSON.stringify(contentToWire(content))));
      if (content['command'] === 'receipt') expect(back).toEqual({ ...content, sn: 3 });
      else expect(back).toEqual(content);
    }
  });
});
