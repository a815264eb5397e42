import { createArrayContent, type Content } from '@dimkit/protocol/content';
import type { PublicKey } from '@dimkit/protocol/crypto';

/** A reply waiting to be sealed: its content, who it goes to and the key it is encrypted for. */
export interface PendingReply {
  readonly receiver: string;
  readonly receiverKey: PublicKey;
  readonly content: Content;
}

export interface ReplyBatchLimits {
  /** Most receipts in one array content. */
  readonly maxCount: number;
  /** Most bytes of receipt JSON (roughly) in one array content. */
  readonly maxBytes: number;
}

/** Defaults: a batch stays far below any message limit (4 MiB) and any client's frame limit. */
export const REPLY_BATCH_LIMITS: ReplyBatchLimits = { maxCount: 64, maxBytes: 64 * 1024 };

/** Whether a content is a receipt command (the only replies the station coalesces). */
export function isReceiptContent(content: Content): boolean {
  return content['command'] === 'receipt';
}

/**
 * About the length of `JSON.stringify(value)`, found without building the string: strings count their
 * characters and quotes (not escapes), numbers 24, each key its characters and punctuation. Enough for a
 * batch limit that is "roughly" in bytes; the strings of receipts need no escapes.
 */
export function jsonSizeEstimate(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 24;
    case 'boolean':
      return 5;
    case 'object': {
      if (value === null) return 4;
      let size = 2;
      if (Array.isArray(value)) {
        for (const item of value) size += jsonSizeEstimate(item) + 1;
        return size;
      }
      for (const key in value) size += key.length + 4 + jsonSizeEstimate((value as Record<string, unknown>)[key]);
      return size;
    }
    default:
      return 0;
  }
}

/**
 * Pending receipts, in order, as the replies to seal: runs of consecutive receipts to the same receiver and key
 * become one array content (type 0xCA, wire spec §5) of at most `maxCount` receipts and about `maxBytes` bytes
 * of JSON; a run of one stays a plain receipt, exactly what it would have been alone. Reference clients
 * process an array content's entries one by one (their `ArrayContentProcessor`), so one signature then
 * answers many messages (docs/compatibility.md).
 */
export function coalesceReplies(
  replies: readonly PendingReply[],
  limits: ReplyBatchLimits = REPLY_BATCH_LIMITS,
): PendingReply[] {
  const out: PendingReply[] = [];
  let run: PendingReply[] = [];
  let runBytes = 0;
  const end = () => {
    if (run.length === 1) out.push(run[0]!);
    else if (run.length > 1) {
      const first = run[0]!;
      out.push({
        receiver: first.receiver,
        receiverKey: first.receiverKey,
        content: createArrayContent(run.map((r) => r.content)),
      });
    }
    run = [];
    runBytes = 0;
  };
  for (const reply of replies) {
    const bytes = jsonSizeEstimate(reply.content);
    const last = run[run.length - 1];
    const joins =
      last !== undefined &&
      last.receiver === reply.receiver &&
      last.receiverKey === reply.receiverKey &&
      run.length < limits.maxCount &&
      runBytes + bytes <= limits.maxBytes;
    if (!joins) end();
    run.push(reply);
    runBytes += bytes;
  }
  end();
  return out;
}

/** How often a connection may be sent a signed receipt message: `burst` at once, then one per `intervalMs`. */
export interface ReceiptPacing {
  readonly intervalMs: number;
  readonly burst: number;
}

/** No pacing: every turn's receipts leave at the end of that turn. */
export const UNPACED: ReceiptPacing = { intervalMs: 0, burst: 1 };

/**
 * Runs due flushes a few at a time: at most `budgetMs` of them per event-loop turn (at least one), then the rest
 * after the I/O that waits. Queues whose timers fall due together (connections that started together) would
 * otherwise seal all their batches in one stretch and hold up every message behind them. The flushes run in
 * the timers phase, before the turn reads its sockets, so they never sit between a relayed message's
 * processing and the write at the end of that turn (transport: one writev per peer per turn).
 */
export class FlushScheduler {
  readonly #budgetMs: number;
  #ready: ReplyQueue[] = [];
  #next = 0;
  #scheduled = false;

  constructor(budgetMs = 2) {
    this.#budgetMs = budgetMs;
  }

  /** Queues `queue.flush()` for a coming turn (once per call; a queue emptied meanwhile costs nothing). */
  enqueue(queue: ReplyQueue): void {
    this.#ready.push(queue);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => this.#run(), 0);
  }

  #run(): void {
    const start = performance.now();
    do {
      const queue = this.#ready[this.#next++]!;
      queue.flush();
    } while (this.#next < this.#ready.length && performance.now() - start < this.#budgetMs);
    if (this.#next === this.#ready.length) {
      this.#ready = [];
      this.#next = 0;
      this.#scheduled = false;
    } else {
      setTimeout(() => this.#run(), 0);
    }
  }
}

/** Flushes at once, in the turn they fall due (tests, and callers with nothing to interleave). */
const IMMEDIATE = { enqueue: (queue: ReplyQueue) => queue.flush() };

/**
 * A connection's receipts waiting to be sealed. `push` queues a receipt; the queue is flushed (coalesced and
 * handed to `send`) at the end of the event-loop turn while the connection has receipt messages to spare
 * (a token bucket of `pacing.burst`, refilled one per `pacing.intervalMs`), else when the next one is due. So a
 * person's receipts leave at once, and a client that makes the station sign faster than that gets them in
 * batches (one signature each) instead of one signature per message. `flush` sends at once, before any other
 * reply goes out, so replies leave in the order they were made. A closed connection's queue is dropped, as
 * its transport drops unsent replies.
 */
export class ReplyQueue {
  readonly #send: (reply: PendingReply) => void;
  readonly #limits: ReplyBatchLimits;
  readonly #pacing: ReceiptPacing;
  readonly #clock: () => number;
  readonly #scheduler: Pick<FlushScheduler, 'enqueue'>;
  #pending: PendingReply[] = [];
  /** The flush to come: `waiting` while it waits for a token (a timer), else at the end of the turn or queued. */
  #scheduled: { readonly waiting: boolean; readonly cancel: () => void } | undefined;
  #tokens: number;
  #refilledAt: number;

  constructor(
    send: (reply: PendingReply) => void,
    options: {
      readonly limits?: ReplyBatchLimits;
      readonly pacing?: ReceiptPacing;
      readonly clock?: () => number;
      /** Who runs the flushes that fall due (default: at once). */
      readonly scheduler?: Pick<FlushScheduler, 'enqueue'>;
    } = {},
  ) {
    this.#send = send;
    this.#scheduler = options.scheduler ?? IMMEDIATE;
    this.#limits = options.limits ?? REPLY_BATCH_LIMITS;
    this.#pacing = options.pacing ?? UNPACED;
    this.#clock = options.clock ?? (() => performance.now());
    this.#tokens = this.#pacing.burst;
    this.#refilledAt = this.#clock();
  }

  /** Receipts queued and not yet sent. */
  get size(): number {
    return this.#pending.length;
  }

  push(reply: PendingReply): void {
    this.#pending.push(reply);
    const full = this.#pending.length >= this.#limits.maxCount;
    // A full batch waits for no token: it already shares one signature as widely as a batch may.
    if (this.#scheduled !== undefined && !(full && this.#scheduled.waiting)) return;
    this.#scheduled?.cancel();
    // Until the scheduler runs the flush, further receipts join this batch without scheduling anything.
    const due = { waiting: false, cancel: () => {} };
    const run = () => {
      this.#scheduled = due;
      this.#scheduler.enqueue(this);
    };
    const { intervalMs } = this.#pacing;
    const wait = intervalMs > 0 && !full ? (1 - this.#refill()) * intervalMs : 0;
    if (wait <= 0) {
      const immediate = setImmediate(run);
      this.#scheduled = { waiting: false, cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(run, Math.ceil(wait));
      this.#scheduled = { waiting: true, cancel: () => clearTimeout(timer) };
    }
  }

  /** Seals and sends what is queued now (before a reply that may not wait behind it). */
  flush(): void {
    this.#scheduled?.cancel();
    this.#scheduled = undefined;
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    this.#tokens = Math.max(0, this.#refill() - 1);
    for (const reply of coalesceReplies(pending, this.#limits)) this.#send(reply);
  }

  /** Forgets what is queued (the connection closed). */
  drop(): void {
    this.#pending = [];
    this.#scheduled?.cancel();
    this.#scheduled = undefined;
  }

  /** Adds the tokens earned since the last refill; answers how many there are now. */
  #refill(): number {
    const { intervalMs, burst } = this.#pacing;
    const now = this.#clock();
    if (intervalMs > 0) this.#tokens = Math.min(burst, this.#tokens + (now - this.#refilledAt) / intervalMs);
    else this.#tokens = burst;
    this.#refilledAt = now;
    return this.#tokens;
  }
}
