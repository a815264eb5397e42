import { DimError } from '../errors.js';
import { parseBtcAddress } from './address-btc.js';
import { parseEthAddress } from './address-eth.js';
import { EntityType } from './entity.js';

/**
 * How an address was recognised (wire spec §3.2). The app-only "unknown 4–64 chars" kind is not
 * accepted: the reference SDK rejects such IDs too (checks/ids.json: `foo@bar`), and accepting it
 * would let any string pass as a user address without a check code.
 */
export type AddressKind = 'btc' | 'eth' | 'broadcast';

export interface Address {
  /** The address exactly as written; addresses compare as exact strings (wire spec §3.1). */
  readonly text: string;
  readonly kind: AddressKind;
  /**
   * The raw network byte: BTC-style as encoded (legacy 0x08, 0x10… kept), 0 for ETH,
   * 0x80/0x81 for `anywhere`/`everywhere`. Meta matching regenerates addresses with this byte (§3.4).
   */
  readonly network: number;
  /** The entity type after the legacy mapping of wire spec §3.3 (use this for predicates). */
  readonly type: number;
}

/** `anywhere`: the address of every "any" broadcast ID (type ANY). */
export const ANYWHERE: Address = Object.freeze({
  text: 'anywhere',
  kind: 'broadcast',
  network: EntityType.ANY,
  type: EntityType.ANY,
});

/** `everywhere`: the address of every "all" broadcast ID (type EVERY). */
export const EVERYWHERE: Address = Object.freeze({
  text: 'everywhere',
  kind: 'broadcast',
  network: EntityType.EVERY,
  type: EntityType.EVERY,
});

function broadcastAddress(text: string): Address | undefined {
  // wire spec §3.2: recognised case-insensitively; the text is kept as written.
  if (text.length === 8 && text.toLowerCase() === 'anywhere') {
    return text === ANYWHERE.text ? ANYWHERE : Object.freeze({ ...ANYWHERE, text });
  }
  if (text.length === 10 && text.toLowerCase() === 'everywhere') {
    return text === EVERYWHERE.text ? EVERYWHERE : Object.freeze({ ...EVERYWHERE, text });
  }
  return undefined;
}

/**
 * Parses an address: broadcast, ETH-style (`0x` + 40 hex digits) or BTC-style (Base58 of
 * network ‖ digest ‖ check code). Throws DimError `address.syntax` for text of no known kind and
 * `address.checksum` when a BTC check code or a mixed-case EIP-55 casing is wrong.
 */
export function parseAddress(text: unknown): Address {
  if (typeof text !== 'string') throw new DimError('address.syntax', `address: expected a string, got ${typeof text}`);
  const broadcast = broadcastAddress(text);
  if (broadcast) return broadcast;
  if (text.length === 42 && text.startsWith('0x')) return parseEthAddress(text);
  return parseBtcAddress(text);
}
