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
    const bytes = JSON.stringify(reply.content).length;
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

/**
 * A connection's receipts waiting for the end of the current event-loop turn. `push` queues a receipt; the
 * queue is flushed (coalesced and handed to `send`) by `setImmediate`, or at once by `flush` before any other
 * reply goes out, so replies leave in the order they were made. A closed connection's queue is dropped, as
 * its transport drops unsent replies.
 */
export class ReplyQueue {
  readonly #send: (reply: PendingReply) => void;
  readonly #limits: ReplyBatchLimits;
  #pending: PendingReply[] = [];
  #scheduled: ReturnType<typeof setImmediate> | undefined;

  constructor(send: (reply: PendingReply) => void, limits: ReplyBatchLimits = REPLY_BATCH_LIMITS) {
    this.#send = send;
    this.#limits = limits;
  }

  /** Receipts queued and not yet sent. */
  get size(): number {
    return this.#pending.length;
  }

  push(reply: PendingReply): void {
    this.#pending.push(reply);
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      this.flush();
    });
  }

  /** Seals and sends what is queued now (before a reply that may not wait behind it). */
  flush(): void {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    for (const reply of coalesceReplies(pending, this.#limits)) this.#send(reply);
  }

  /** Forgets what is queued (the connection closed). */
  drop(): void {
    this.#pending = [];
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
  }
}
