import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCommand, createTextContent, isArrayContent, type Content } from '@dimkit/protocol/content';
import type { PublicKey } from '@dimkit/protocol/crypto';
import {
  FlushScheduler,
  ReplyQueue,
  coalesceReplies,
  isReceiptContent,
  jsonSizeEstimate,
  type PendingReply,
} from './reply-batch.js';

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
    const size = jsonSizeEstimate(many[0]!.content);
    expect(numbers(coalesceReplies(many.slice(0, 5), { maxCount: 64, maxBytes: size * 2 + 1 }))).toEqual([
      [0, 1],
      [2, 3],
      [4],
    ]);
  });
});

describe('jsonSizeEstimate', () => {
  it('is close to the length of the JSON text for receipt-like contents', () => {
    const samples = [
      receipt(1).content,
      createCommand('receipt', { text: 'Message delivered.', origin: { sender: ALICE, receiver: BOB, time: 1.5 } }),
      { a: [1, 'two', null, true, { b: [] }] },
    ];
    for (const sample of samples) {
      const exact = JSON.stringify(sample).length;
      expect(jsonSizeEstimate(sample)).toBeGreaterThanOrEqual(exact * 0.8);
      expect(jsonSizeEstimate(sample)).toBeLessThanOrEqual(exact * 2);
    }
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

describe('ReplyQueue pacing', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A queue on a fake clock (and vitest's fake timers). */
  function paced(intervalMs: number, burst: number, maxCount = 64) {
    let now = 0;
    const sent: PendingReply[] = [];
    const queue = new ReplyQueue((r) => sent.push(r), {
      pacing: { intervalMs, burst },
      limits: { maxCount, maxBytes: 1 << 20 },
      clock: () => now,
    });
    const advance = async (ms: number) => {
      now += ms;
      await vi.advanceTimersByTimeAsync(ms);
    };
    return { queue, sent, advance };
  }

  it('sends the first `burst` batches at the end of their turns, then one per interval', async () => {
    const { queue, sent, advance } = paced(250, 2);
    queue.push(receipt(1));
    await advance(0);
    queue.push(receipt(2));
    await advance(0);
    expect(numbers(sent)).toEqual([[1], [2]]);
    // The bucket is empty: what comes now waits for the next token, and leaves as one batch.
    queue.push(receipt(3));
    await advance(100);
    queue.push(receipt(4));
    queue.push(receipt(5));
    await advance(100);
    expect(numbers(sent)).toEqual([[1], [2]]);
    await advance(50);
    expect(numbers(sent)).toEqual([[1], [2], [3, 4, 5]]);
    // A quiet connection earns its burst back.
    await advance(1000);
    queue.push(receipt(6));
    await advance(0);
    queue.push(receipt(7));
    await advance(0);
    expect(numbers(sent)).toEqual([[1], [2], [3, 4, 5], [6], [7]]);
  });

  it('sends a full batch without waiting for a token', async () => {
    const { queue, sent, advance } = paced(250, 1, 3);
    queue.push(receipt(1));
    await advance(0);
    queue.push(receipt(2));
    queue.push(receipt(3));
    await advance(0);
    expect(numbers(sent)).toEqual([[1]]);
    queue.push(receipt(4));
    await advance(0);
    expect(numbers(sent)).toEqual([[1], [2, 3, 4]]);
    await advance(250);
    expect(sent).toHaveLength(2);
  });

  it('flush sends a waiting batch at once and spends a token on it', async () => {
    const { queue, sent, advance } = paced(250, 1);
    queue.push(receipt(1));
    await advance(0);
    queue.push(receipt(2));
    queue.flush();
    expect(numbers(sent)).toEqual([[1], [2]]);
    queue.push(receipt(3));
    await advance(200);
    expect(sent).toHaveLength(2);
    await advance(50);
    expect(numbers(sent)).toEqual([[1], [2], [3]]);
  });

  it('drop cancels a waiting batch', async () => {
    const { queue, sent, advance } = paced(250, 1);
    queue.push(receipt(1));
    await advance(0);
    queue.push(receipt(2));
    queue.drop();
    await advance(1000);
    expect(numbers(sent)).toEqual([[1]]);
  });
});

describe('FlushScheduler', () => {
  it('runs due flushes after the turn that queued them, within its budget per turn, the rest in later turns', async () => {
    // Counts event-loop turns, to tell which turn each flush ran in.
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    spin();
    try {
      const scheduler = new FlushScheduler(0);
      const sent: PendingReply[] = [];
      const sentIn: number[] = [];
      const queues = Array.from(
        { length: 3 },
        () =>
          new ReplyQueue(
            (r) => {
              sent.push(r);
              sentIn.push(turns);
            },
            { scheduler },
          ),
      );
      queues.forEach((q, i) => q.push(receipt(i)));
      await tick();
      // Due at the end of the turn, but sealed by the scheduler in a later turn's timers phase.
      expect(sent).toHaveLength(0);
      for (let i = 0; i < 50 && sent.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 2));
      expect(numbers(sent)).toEqual([[0], [1], [2]]);
      // A zero budget: one flush per turn.
      expect(new Set(sentIn).size).toBe(3);
    } finally {
      spinning = false;
    }
  });
});

describe('isReceiptContent', () => {
  it('is true for receipt commands only', () => {
    expect(isReceiptContent(receipt(1).content)).toBe(true);
    expect(isReceiptContent(createCommand('handshake', { title: 'DIM!' }))).toBe(false);
    expect(isReceiptContent(createTextContent('receipt'))).toBe(false);
  });
});
