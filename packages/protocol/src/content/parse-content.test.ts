import { describe, expect, it } from 'vitest';
import { DimError } from '../errors.js';
import { DEFAULT_CONTENT_LIMITS } from './limits.js';
import { parseContent } from './parse-content.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

const MOKI = 'moki@4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk';
const GROUP = 'Group-1024@WDmgoRT19UnyZGtARQunLtYaJ1GiAD913';
const text = { type: 1, sn: 1, time: 1, text: 'hi' };
const cmd = { type: 136, sn: 1, time: 1 };

describe('parseContent: base fields (wire spec §4.2)', () => {
  it('accepts integer, decimal-string and alias types', () => {
    expect(parseContent({ ...text, type: '1' }).type).toBe(1);
    expect(parseContent({ ...text, type: 'text' }).type).toBe(1);
    expect(parseContent({ ...cmd, type: 'history', command: 'quit', group: GROUP }).type).toBe(137);
  });

  it('rejects a missing or unknown type with content.type', () => {
    for (const type of ['txt', '0x01', '-1', 1.5, -1, 2 ** 31, null, [], {}, true]) {
      expect(codeOf(() => parseContent({ ...text, type }))).toBe('content.type');
    }
    expect(codeOf(() => parseContent({ sn: 1, text: 'no type' }))).toBe('content.type');
  });

  it('rejects sn = 0, negative, fractional, too large, string or missing sn', () => {
    for (const sn of [0, -1, -2147483647, 1.5, 2 ** 31, '5', null]) {
      expect(codeOf(() => parseContent({ ...text, sn }))).toBe('content.format');
    }
    expect(codeOf(() => parseContent({ type: 1, text: 'no sn' }))).toBe('content.format');
    expect(parseContent({ ...text, sn: 2 ** 31 - 1 }).sn).toBe(2 ** 31 - 1);
  });

  it('accepts int, float or numeric-string time, and no time on a 2018 content', () => {
    expect(parseContent({ ...text, time: 1545405083 }).time).toBe(1545405083);
    expect(parseContent({ ...text, time: '1545405083.25' }).time).toBe(1545405083.25);
    const legacy = parseContent({ sn: 412968873, text: 'Hey guy!', type: 1 });
    expect(legacy).toEqual({ sn: 412968873, text: 'Hey guy!', type: 1 });
  });

  it('rejects a bad time or group', () => {
    for (const time of [-1, 'soon', null, {}])
      expect(codeOf(() => parseContent({ ...text, time }))).toBe('content.format');
    for (const group of ['', 5, ['g'], 'x'.repeat(257)]) {
      expect(codeOf(() => parseContent({ ...text, group }))).toBe('content.format');
    }
  });

  it('requires time on a history command (type 137, §6.6)', () => {
    const quit = { type: 137, sn: 1, command: 'quit', group: GROUP };
    expect(codeOf(() => parseContent(quit))).toBe('command.format');
    expect(parseContent({ ...quit, type: 136 }).type).toBe(136);
  });

  it('keeps unknown types and unknown fields untouched', () => {
    const odd = { type: 0x42, sn: 9, time: 1, lucky: { money: [1, 2] }, 'x y': null };
    expect(parseContent(odd)).toEqual(odd);
    const unknownCommand = { ...cmd, command: 'future', anything: [true] };
    expect(parseContent(unknownCommand)).toEqual(unknownCommand);
  });
});

describe('parseContent: hostile input never crashes', () => {
  it('rejects non-objects', () => {
    for (const value of [null, undefined, 1, 'text', [], [text], true, () => 1, Symbol('x'), 10n]) {
      expect(codeOf(() => parseContent(value))).toBe('content.format');
    }
  });

  it('rejects a __proto__ key anywhere, without touching any prototype', () => {
    const top = JSON.parse('{"type":1,"sn":1,"text":"x","__proto__":{"polluted":true}}') as unknown;
    const deep = JSON.parse('{"type":1,"sn":1,"text":"x","extra":[{"__proto__":{"polluted":true}}]}') as unknown;
    expect(codeOf(() => parseContent(top))).toBe('content.format');
    expect(codeOf(() => parseContent(deep))).toBe('content.format');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('rejects values that are not JSON (bigint, function, NaN, Infinity, class instances)', () => {
    for (const extra of [10n, () => 1, NaN, Infinity, new Date(0), new Map(), undefined, Symbol('s')]) {
      expect(codeOf(() => parseContent({ ...text, extra }))).toBe('content.format');
    }
  });

  it('rejects deep nesting and cycles', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(codeOf(() => parseContent({ ...text, deep }))).toBe('content.format');
    const cyclic: Record<string, unknown> = { ...text };
    cyclic['self'] = cyclic;
    expect(codeOf(() => parseContent(cyclic))).toBe('content.format');
  });

  it('ignores enumerable properties someone added to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['injected'] = () => 1;
    try {
      expect(parseContent({ ...text })).toEqual(text);
      expect(codeOf(() => parseContent({ ...text, sn: 0 }))).toBe('content.format');
    } finally {
      delete proto['injected'];
    }
  });

  it('checks every item of a long list and every member of a large object', () => {
    const many = new Array<unknown>(10_000).fill('x');
    expect(parseContent({ ...text, many })['many']).toHaveLength(10_000);
    many[9_999] = undefined;
    expect(codeOf(() => parseContent({ ...text, many }))).toBe('content.format');
    // a hole reads as undefined, which is not JSON either
    const holes = new Array<unknown>(3);
    expect(codeOf(() => parseContent({ ...text, holes }))).toBe('content.format');
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    expect(codeOf(() => parseContent({ ...text, wide: { ...wide, last: NaN } }))).toBe('content.format');
  });

  it('rejects huge lists before looking at their items', () => {
    const members = new Array<string>(DEFAULT_CONTENT_LIMITS.maxListItems + 1).fill(MOKI);
    const invite = { type: 137, sn: 1, time: 1, command: 'invite', group: GROUP, members };
    expect(codeOf(() => parseContent(invite))).toBe('command.format');
    expect(parseContent({ ...invite, members: members.slice(1) })['members']).toHaveLength(members.length - 1);
    const documents = new Array(17).fill({ did: MOKI, data: '{}', signature: 's' });
    expect(codeOf(() => parseContent({ ...cmd, command: 'documents', did: MOKI, documents }))).toBe('command.format');
    const contents = new Array(257).fill(text);
    expect(codeOf(() => parseContent({ type: 202, sn: 1, contents }))).toBe('content.format');
    expect(codeOf(() => parseContent({ type: 202, sn: 1, contents }, { maxContents: 300 }))).toBeUndefined();
  });

  it('limits how deep array contents nest', () => {
    let content: Record<string, unknown> = text;
    for (let i = 0; i < 5; i++) content = { type: 202, sn: 1, contents: [content] };
    expect(codeOf(() => parseContent(content))).toBe('content.format');
    expect(codeOf(() => parseContent(content, { maxNesting: 5 }))).toBeUndefined();
  });

  it('parses array contents: a bad inner content fails the whole', () => {
    const ok = parseContent({ type: 202, sn: 1, contents: [{ type: 'text', sn: 2, text: 'a' }] });
    expect(ok['contents']).toEqual([{ type: 1, sn: 2, text: 'a' }]);
    expect(codeOf(() => parseContent({ type: 202, sn: 1, contents: [{ type: 1, sn: 0, text: 'a' }] }))).toBe(
      'content.format',
    );
    expect(codeOf(() => parseContent({ type: 202, sn: 1, contents: ['a'] }))).toBe('content.format');
  });
});

describe('parseContent: limits', () => {
  it('applies the given limits, each call its own', () => {
    const nested = { ...text, extra: { a: { b: [1] } } };
    expect(codeOf(() => parseContent(nested, { maxJsonDepth: 3 }))).toBe('content.format');
    expect(codeOf(() => parseContent(nested, { maxJsonDepth: 4 }))).toBeUndefined();
    expect(codeOf(() => parseContent(nested))).toBeUndefined();
    expect(codeOf(() => parseContent(text, { maxJsonDepth: 0 }))).toBe('content.format');
    expect(codeOf(() => parseContent({ ...text, group: GROUP }, { maxIdLength: 20 }))).toBe('content.format');
    expect(codeOf(() => parseContent({ ...text, group: GROUP }, {}))).toBeUndefined();
    const quit = { type: 137, sn: 1, time: 1, command: 'quit', group: GROUP };
    expect(codeOf(() => parseContent(quit, { maxCommandLength: 3 }))).toBe('command.format');
    expect(codeOf(() => parseContent({ ...quit, group: GROUP }, { maxIdLength: 20 }))).toBe('content.format');
    const block = { ...cmd, command: 'block', list: [MOKI, MOKI] };
    expect(codeOf(() => parseContent(block, { maxListItems: 1 }))).toBe('command.format');
    expect(codeOf(() => parseContent(block))).toBeUndefined();
  });

  // the documented contract: errors name what failed (the labels are built once, not per call)
  it('names the content type or command in its errors', () => {
    const messageOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    expect(messageOf(() => parseContent({ type: 1, sn: 1 }))).toContain('text content: ');
    expect(messageOf(() => parseContent({ type: 0x77, sn: 0 }))).toContain('type 119 content: ');
    expect(messageOf(() => parseContent({ ...cmd, command: 'block', list: 1 }))).toContain('block command: ');
    expect(messageOf(() => parseContent({ ...cmd, command: 'block', list: 1 }, { maxIdLength: 9 }))).toContain(
      'block command: ',
    );
    expect(messageOf(() => parseContent({ type: 1, sn: 1 }, { maxNesting: 1 }))).toContain('text content: ');
  });
});

describe('parseContent: fields of each content type (wire spec §5)', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['text without text', { type: 1, sn: 1 }],
    ['text with a number', { type: 1, sn: 1, text: 5 }],
    ['text with an origin string', { type: 1, sn: 1, text: '', origin: 'x' }],
    ['file without URL, data or filename', { type: 16, sn: 1, key: {} }],
    ['file with a string key', { type: 16, sn: 1, URL: 'u', key: 'k' }],
    ['image with a numeric thumbnail', { type: 18, sn: 1, URL: 'u', thumbnail: 3 }],
    ['audio with a string duration', { type: 20, sn: 1, URL: 'u', duration: '3' }],
    ['page without URL or HTML', { type: 32, sn: 1, title: 't' }],
    ['name card without did', { type: 51, sn: 1, name: 'n' }],
    ['name card with an array avatar', { type: 51, sn: 1, did: MOKI, avatar: [] }],
    ['quote without origin', { type: 55, sn: 1, text: 't' }],
    ['quote with a bad origin sn', { type: 55, sn: 1, text: 't', origin: { sn: 'x' } }],
    ['money without amount', { type: 64, sn: 1, currency: 'USD' }],
    ['transfer with a numeric remitter', { type: 65, sn: 1, currency: 'USD', amount: 1, remitter: 1 }],
    ['customized without act', { type: 204, sn: 1, app: 'a' }],
    [
      'group keys with a bad keys map',
      { type: 204, sn: 1, app: 'chat.dim.group', act: 'update', group: GROUP, keys: { a: 1 } },
    ],
    ['group customized without group', { type: 204, sn: 1, app: 'chat.dim.group', mod: 'keys', act: 'query' }],
    ['combine without messages', { type: 207, sn: 1, title: 't' }],
    ['combine with a string message', { type: 207, sn: 1, messages: ['m'] }],
    ['forward with neither forward nor secrets', { type: 255, sn: 1 }],
    ['forward with a string', { type: 255, sn: 1, forward: 'msg' }],
    ['array without contents', { type: 202, sn: 1 }],
  ];

  it.each(bad)('rejects %s with content.format', (_name, value) => {
    expect(codeOf(() => parseContent(value))).toBe('content.format');
  });

  it('accepts each content type in its usual shape', () => {
    const good = [
      { type: 1, sn: 1, text: '**hi**', format: 'markdown' },
      { type: 16, sn: 1, filename: 'a.pdf', URL: 'https://x/a', key: { algorithm: 'AES', data: 'x' }, IV: 'aXY=' },
      { type: 18, sn: 1, data: 'AAEC', thumbnail: 'data:image/jpeg;base64,AAEC' },
      { type: 20, sn: 1, URL: 'u', text: 'hello', duration: 1.25 },
      { type: 22, sn: 1, URL: 'u', snapshot: { URL: 'u' } },
      { type: 32, sn: 1, HTML: '<p/>', mime_type: 'text/html' },
      { type: 51, sn: 1, did: MOKI, name: 'moki', avatar: 'https://x/a.png' },
      { type: 55, sn: 1, text: 're', origin: { sender: MOKI, receiver: GROUP, type: 1, sn: 5 } },
      { type: 65, sn: 1, currency: 'USD', amount: 1.5, remitter: MOKI, remittee: MOKI },
      { type: 160, sn: 1, app: 'chat.dim.x', extra: {} },
      { type: 204, sn: 1, app: 'chat.dim.group', mod: 'keys', act: 'query', group: GROUP, last_time: 5 },
      { type: 207, sn: 1, title: 'chat', messages: [{ sender: MOKI, content: {} }] },
      { type: 255, sn: 1, secrets: [{ sender: MOKI, data: 'x', signature: 'y' }] },
    ];
    for (const value of good) expect(parseContent(value)).toEqual(value);
  });
});

describe('parseContent: fields of each command (wire spec §6)', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['a command without a name', { ...cmd }],
    ['a command with a numeric name', { ...cmd, command: 5 }],
    ['a command with an empty name', { ...cmd, command: '' }],
    ['a command with a 65-character name', { ...cmd, command: 'x'.repeat(65) }],
    ['meta without did', { ...cmd, command: 'meta' }],
    ['meta with an array meta', { ...cmd, command: 'meta', did: MOKI, meta: [] }],
    ['documents without did', { ...cmd, command: 'documents', documents: [] }],
    [
      'documents with a document without data',
      { ...cmd, command: 'documents', did: MOKI, documents: [{ signature: 's' }] },
    ],
    ['documents with a string document', { ...cmd, command: 'document', did: MOKI, document: 'x' }],
    ['documents with a bad last_time', { ...cmd, command: 'documents', did: MOKI, last_time: 'never' }],
    ['receipt with a string origin', { ...cmd, command: 'receipt', origin: 'x' }],
    ['handshake without title', { ...cmd, command: 'handshake' }],
    ['handshake with a numeric session', { ...cmd, command: 'handshake', title: 'DIM?', session: 5 }],
    ['login without did', { ...cmd, command: 'login', agent: 'x' }],
    ['login with a bad port', { ...cmd, command: 'login', did: MOKI, station: { host: 'h', port: 70000 } }],
    ['report with a numeric title', { ...cmd, command: 'report', title: 1 }],
    ['block with a string list', { ...cmd, command: 'block', list: MOKI }],
    ['mute with a numeric entry', { ...cmd, command: 'mute', list: [1] }],
    ['ans with a numeric record', { ...cmd, command: 'ans', records: { a: 1 } }],
    ['invite without group', { ...cmd, command: 'invite', members: [MOKI] }],
    ['invite without members', { ...cmd, command: 'invite', group: GROUP }],
    ['reset with empty members', { ...cmd, command: 'reset', group: GROUP, members: [] }],
    ['hire with a string administrators', { ...cmd, command: 'hire', group: GROUP, administrators: MOKI }],
  ];

  it.each(bad)('rejects %s with command.format', (_name, value) => {
    expect(codeOf(() => parseContent(value))).toBe('command.format');
  });

  it('accepts each command in its usual shape', () => {
    const good = [
      { ...cmd, command: 'meta', did: MOKI, meta: { type: 1, key: {} } },
      { ...cmd, command: 'documents', did: MOKI, last_time: 5 },
      { ...cmd, command: 'receipt', text: 'ok', origin: { sender: MOKI, sn: 3 }, template: 't', replacements: {} },
      { ...cmd, command: 'handshake', title: 'DIM?', session: 'abc', remote_address: ['1.2.3.4', 5] },
      {
        ...cmd,
        command: 'login',
        did: MOKI,
        agent: 'x',
        station: { did: MOKI, host: 'h', port: 9394 },
        provider: { did: MOKI },
      },
      { ...cmd, command: 'report', title: 'online' },
      { ...cmd, command: 'block', list: [MOKI] },
      { ...cmd, command: 'mute' },
      { ...cmd, command: 'ans', names: 'a b', records: { a: MOKI } },
      { type: 137, sn: 1, time: 1, command: 'reset', group: GROUP, members: [MOKI] },
      { type: 137, sn: 1, time: 1, command: 'fire', group: GROUP, assistants: [MOKI] },
      { type: 137, sn: 1, time: 1, command: 'query', group: GROUP, last_time: 2 },
    ];
    for (const value of good) expect(parseContent(value)).toEqual(value);
  });
});
