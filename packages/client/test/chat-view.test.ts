// What `dim chat` draws: message lines with their marks, file and command descriptions, control characters
// from the network removed, the newest rows fitted to the screen.
import { describe, expect, it } from 'vitest';
import { createCommand, createFileContent, createTextContent } from '@dimkit/protocol/content';
import type { StoredMessage } from '../src/core/index.js';
import { describeContent, fitRows, MARKS, messageLine, printable, wrap } from '../src/cli/chat-view.js';

function stored(overrides: Partial<StoredMessage>): StoredMessage {
  return {
    id: 7,
    conversation: 'bob',
    direction: 'out',
    sender: 'me',
    receiver: 'bob',
    time: new Date(2026, 0, 2, 9, 5).getTime() / 1000,
    content: createTextContent('hello'),
    state: 'pending',
    read: true,
    ...overrides,
  };
}

describe('dim chat view', () => {
  it('marks our messages by state and leaves incoming ones unmarked', () => {
    expect(messageLine(stored({}), 'alice')).toBe('09:05 #7 alice: hello …');
    expect(messageLine(stored({ state: 'sent' }), 'alice')).toBe('09:05 #7 alice: hello ✓');
    expect(messageLine(stored({ state: 'cached' }), 'alice')).toBe('09:05 #7 alice: hello ✓ cached');
    expect(messageLine(stored({ state: 'delivered' }), 'alice')).toBe('09:05 #7 alice: hello ✓✓');
    expect(messageLine(stored({ state: 'read' }), 'alice')).toBe('09:05 #7 alice: hello ✓✓ read');
    expect(messageLine(stored({ state: 'failed', error: 'meta.missing: no meta' }), 'alice')).toBe(
      '09:05 #7 alice: hello ✗ meta.missing: no meta',
    );
    expect(messageLine(stored({ direction: 'in', state: 'delivered' }), 'bob')).toBe('09:05 #7 bob: hello');
    expect(Object.keys(MARKS).sort()).toEqual(['cached', 'delivered', 'failed', 'pending', 'read', 'sent']);
  });

  it('describes files (with the /get hint), group commands and other contents on one line', () => {
    const file = createFileContent({ URL: 'http://h/f', filename: 'cat.png', length: 113_991 });
    expect(describeContent({ ...file, type: 18 })).toBe('[image cat.png, 111 KiB]');
    expect(messageLine(stored({ id: 4, direction: 'in', content: file }), 'bob')).toBe(
      '09:05 #4 bob: [file cat.png, 111 KiB]  (/get 4)',
    );
    expect(describeContent(createCommand('invite', { members: ['0x1', '0x2'] }, { group: 'g@x' }))).toBe(
      '[invite 0x1, 0x2]',
    );
    expect(describeContent(createTextContent('two\nlines'))).toBe('two ⏎ lines');
    expect(describeContent({ ...createTextContent('x'), type: 64 })).toBe('[content type 64]');
  });

  it('removes terminal control characters that came from the network', () => {
    const evil = 'hi\u001b[2J\u001b]0;pwned\u0007 there\u009b31m';
    expect(printable(evil)).toBe('hi[2J]0;pwned there31m');
    expect(messageLine(stored({ direction: 'in', content: createTextContent(evil) }), 'x\u001bname')).toBe(
      '09:05 #7 xname: hi[2J]0;pwned there31m',
    );
  });

  it('fits the newest rows to the screen, wrapping long lines and padding above', () => {
    expect(wrap('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
    expect(wrap('✓✓ ok', 10)).toEqual(['✓✓ ok']);
    expect(fitRows(['one', 'two'], 10, 4)).toEqual(['', '', 'one', 'two']);
    expect(fitRows(['old', 'abcdefgh', 'new'], 3, 3)).toEqual(['def', 'gh', 'new']);
  });
});
