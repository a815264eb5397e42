import type { JsonObject } from '../encoding/json.js';

/**
 * Message forms (wire spec §4.3). Each is a plain JSON object, so fields this library does not
 * know (`traces`, `SDT`, `muted`, ...) are preserved as they came.
 */
export interface EnvelopeFields {
  readonly sender: string;
  readonly receiver: string;
  readonly time: number;
  /** The exposed group (visible to relays; selects the key direction, §4.7). */
  readonly group?: string;
  readonly type?: number | string;
}

/** Plain message, local only: envelope + `content`. */
export type InstantMessage = Readonly<JsonObject> & EnvelopeFields & { readonly content: JsonObject };

/** What goes on the wire: encrypted (or, for broadcasts, plain JSON text) `data`, signed. */
export type ReliableMessage = Readonly<JsonObject> &
  EnvelopeFields & {
    readonly data: string;
    readonly signature: string;
    readonly key?: string;
    readonly keys?: Readonly<Record<string, string>>;
    readonly IV?: string;
    readonly meta?: JsonObject;
    readonly visa?: JsonObject;
  };

/** Fields replaced by `content` when a message is opened (§4.5 step 7). */
export const SEALED_FIELDS = ['data', 'key', 'keys', 'signature', 'IV'] as const;
