import type { Content } from '@dimkit/protocol/content';
import type { JsonObject } from '@dimkit/protocol/encoding';
import type { NewOutgoing, StoredMessage } from './client-store.js';

/**
 * Shared by the stores: the message row an outgoing item makes (wire spec §4.2: the content's
 * `time` and `group` win over the envelope's).
 */
export function outgoingMessageFields(
  item: NewOutgoing,
): Omit<StoredMessage, 'id' | 'state' | 'read' | 'signature' | 'error'> {
  const instant = item.instant;
  const content = instant['content'] as Content;
  const group = typeof content.group === 'string' ? content.group : (instant['group'] as string | undefined);
  const time = typeof content.time === 'number' ? content.time : (instant['time'] as number);
  return {
    conversation: item.conversation ?? group ?? item.receiver,
    direction: 'out',
    sender: instant['sender'] as string,
    receiver: item.receiver,
    ...(group === undefined ? {} : { group }),
    time,
    content,
  };
}

/** Seconds since 1970, as DIMP writes times. */
export function nowSeconds(): number {
  return Date.now() / 1000;
}

export function cloneJson<T extends JsonObject>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
