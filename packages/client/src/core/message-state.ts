/**
 * Where an outgoing message is (shown to the user), and how receipts move it (station spec §3.5,
 * wire spec §6.3). States only move forward: pending → sent → cached → delivered → read; `failed`
 * is reached from `pending` only, and left again only by an explicit retry.
 */
export type MessageState = 'pending' | 'sent' | 'cached' | 'delivered' | 'read' | 'failed';

const RANK: Readonly<Record<MessageState, number>> = {
  pending: 0,
  failed: 0,
  sent: 1,
  cached: 2,
  delivered: 3,
  read: 4,
};

/** Whether a message in state `from` may move to `to` (forward only; `failed` only from `pending`). */
export function isAdvance(from: MessageState, to: MessageState): boolean {
  if (to === 'failed') return from === 'pending';
  if (from === 'failed') return to !== 'pending';
  return RANK[to] > RANK[from];
}

/** Texts of the receipts stations generate about a relayed message (station spec §3.5). */
export const StationReceiptText = {
  DELIVERED: 'Message delivered.',
  CACHED: 'Message cached.',
  REDIRECTED: 'Message redirected.',
  REDIRECTED_BRIDGE: 'Message redirected via station bridge.',
  RECEIVED: 'Message received.',
  FORWARDED: 'Message forwarded.',
} as const;

/** The text user clients answer non-command messages with (wire spec §6.3). */
export const DELIVERY_RECEIPT_TEXT = 'Message received.';
/** The text of a dimkit read receipt (docs/compatibility.md, "dimkit extensions"). */
export const READ_RECEIPT_TEXT = 'Message read.';

/**
 * The state a station receipt puts our message in: `Message delivered.` → delivered (pushed to a
 * session of the receiver), `Message cached.` → cached (kept for the receiver's next login), any
 * other text about the message (redirected to another station, received, …) → sent (the station
 * took it). Texts that say the message was refused (`Message is blocked …`) → failed.
 */
export function stationReceiptState(text: string | undefined): MessageState {
  if (text === StationReceiptText.DELIVERED) return 'delivered';
  if (text === StationReceiptText.CACHED) return 'cached';
  if (text !== undefined && text.startsWith('Message is blocked')) return 'failed';
  return 'sent';
}

/**
 * When an outgoing message with no receipt yet is sent again: `firstMs` after the first attempt,
 * doubling per attempt, at most `maxMs`. A reconnection resends at once regardless.
 */
export function retryDelay(attempts: number, firstMs = 30_000, maxMs = 600_000): number {
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new RangeError(`attempts: expected an integer ≥ 1, got ${attempts}`);
  return Math.min(maxMs, firstMs * 2 ** Math.min(attempts - 1, 32));
}
