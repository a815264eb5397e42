import { describe, expect, it } from 'vitest';
import { createCommand, createTextContent, isArrayContent, type Content } from '@dimkit/protocol/content';
import type { PublicKey } from '@dimkit/protocol/crypto';
import { ReplyQueue, coalesceReplies, isReceiptContent, type PendingReply } from './reply-batch.js';

const KEY_A = {} as PublicKey;
const KEY_B = {} as PublicKey;
const ALICE = 'alice@1LWC7zgMFNMSwfhGCdnSVgjg7kApFLkXgV';
const BOB = 'bob@1LWC7zgMFNMSwfhGCdnSVgjg7kApFLkXgV';

function receipt(n: number, receiver = ALICE, key = KEY_A): PendingReply {
  return { receiver, receiverKey: key, content: createCommand('receipt', { text: 'Message delivered.', n }) };
}

/** The receipt numbers each sealed reply carries, in order. */
function numbers(replies: readonly PendingReply[]): number[][] {
  return replies.map((r) =>
    isArrayContent(r.content) ? r.content.contents.map((c: Content) => c['n'] as number) : [r.content['n'] as number],
  );
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesceReplies', () => {
  it('leaves a single receipt exactly as it was', () => {
    const one = receipt(1);
    const out = coalesceReplies([one]);
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(one);
  });

  it('puts consecutive receipts to the same receiver and key into one array content, in order', () => {
    const out = coalesceReplies([receipt(1), receipt(2), receipt(3)]);
    expect(out).toHaveLength(1);
    expect(isArrayContent(out[0]!.content)).toBe(true);
    expect(out[0]!.content['type']).toBe(0xca);
    expect(numbers(out)).toEqual([[1, 2, 3]]);
    expect(out[0]!.receiver).toBe(ALICE);
  });

  it('starts a new batch when the receiver or the key changes', () => {
    const out = coalesceReplies([
      receipt(1),
      receipt(2),
      receipt(3, BOB),
      receipt(4, BOB, KEY_B),
      receipt(5, BOB, KEY_B),
    ]);
    expect(numbers(out)).toEqual([[1, 2], [3], [4, 5]]);
    expect(out.map((r) => r.receiver)).toEqual([ALICE, BOB, BOB]);
  });

  it('bounds a batch by count and by bytes', () => {
    const many = Array.from({ length: 10 }, (_, i) => receipt(i));
    expect(numbers(coalesceReplies(many, { maxCount: 4, maxBytes: 1 << 20 }))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    const size = JSON.stringify(many[0]!.content).length;
    expect(numbers(coalesceReplies(many.slice(0, 5), { maxCount: 64, maxBytes: size * 2 + 1 }))).toEqual([
      [0, 1],
      [2, 3],
      [4],
    ]);
  });
});

describe('ReplyQueue', () => {
  it('sends what one turn queued as one batch, after the turn', async () => {
    const sent: PendingReply[] = [];
    const queue = new ReplyQueue((r) => sent.push(r));
    queue.push(receipt(1));
    queue.push(receipt(2));
    expect(sent).toHaveLength(0);
    expect(queue.size).toBe(2);
    await tick();
    expect(numbers(sent)).toEqual([[1, 2]]);
    queue.push(receipt(3));
    await tick();
    expect(numbers(sent)).toEqual([[1, 2], [3]]);
    expect(isArrayContent(sent[1]!.content)).toBe(false);
  });

  it('flush sends at once (before another reply) and leaves nothing for the turn end', async () => {
    const sent: PendingReply[] = [];
    const queue = new ReplyQueue((r) => sent.push(r));
    queue.push(receipt(1));
    queue.flush();
    expect(numbers(sent)).toEqual([[1]]);
    await tick();
    expect(sent).toHaveLength(1);
  });

  it('drops what waits when the connection closes', async () => {
    const sent: PendingReply[] = [];
    const queue = new ReplyQueue((r) => sent.push(r));
    queue.push(receipt(1));
    queue.drop();
    await tick();
    expect(sent).toHaveLength(0);
    expect(queue.size).toBe(0);
  });
});

describe('isReceiptContent', () => {
  it('is true for receipt commands only', () => {
    expect(isReceiptContent(receipt(1).content)).toBe(true);
    expect(isReceiptContent(createCommand('handshake', { title: 'DIM!' }))).toBe(false);
    expect(isReceiptContent(createTextContent('receipt'))).toBe(false);
  });
});
