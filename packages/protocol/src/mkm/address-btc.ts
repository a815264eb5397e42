import { ripemd160, sha256 } from '../crypto/digest.js';
import { decodeBase58, encodeBase58 } from '../encoding/base58.js';
import { DimError } from '../errors.js';
import type { Address } from './address.js';
import { entityTypeFromNetwork } from './entity.js';

/** network(1) ‖ RIPEMD160(SHA256(fingerprint))(20) ‖ check code(4) (wire spec §3.2). */
const DECODED_LENGTH = 25;
/** Base58 of 25 bytes never exceeds 35 characters; 25 `1`s would be all-zero bytes. */
const MIN_TEXT = 25;
const MAX_TEXT = 35;

function checkCode(head: Uint8Array): Uint8Array {
  return sha256(sha256(head)).subarray(0, 4);
}

function requireNetwork(network: number): void {
  if (!Number.isInteger(network) || network < 0 || network > 0xff) {
    throw new RangeError(`network: expected a byte 0..255, got ${network}`);
  }
}

/**
 * A BTC-style address (wire spec §3.2): Base58(network ‖ RIPEMD160(SHA256(fingerprint)) ‖ check),
 * check = first 4 bytes of SHA256(SHA256(network ‖ digest)). `fingerprint` is the decoded meta
 * fingerprint (MKM metas) or the public key data (BTC metas). `network` is the raw byte to encode.
 */
export function btcAddressFromFingerprint(fingerprint: Uint8Array, network: number): string {
  if (!(fingerprint instanceof Uint8Array)) throw new TypeError('fingerprint: expected Uint8Array');
  requireNetwork(network);
  const out = new Uint8Array(DECODED_LENGTH);
  out[0] = network;
  out.set(ripemd160(sha256(fingerprint)), 1);
  out.set(checkCode(out.subarray(0, 21)), 21);
  return encodeBase58(out);
}

function decode(text: string): Uint8Array {
  if (text.length < MIN_TEXT || text.length > MAX_TEXT) {
    throw new DimError('address.syntax', `address "${text}": expected 25–35 Base58 characters, got ${text.length}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeBase58(text);
  } catch (cause) {
    throw new DimError('address.syntax', `address "${text}": not Base58`, { cause });
  }
  if (bytes.length !== DECODED_LENGTH) {
    throw new DimError('address.syntax', `address "${text}": expected ${DECODED_LENGTH} bytes, got ${bytes.length}`);
  }
  const expected = checkCode(bytes.subarray(0, 21));
  for (let i = 0; i < 4; i++) {
    if (bytes[21 + i] !== expected[i]) {
      throw new DimError('address.checksum', `address "${text}": check code does not match`);
    }
  }
  return bytes;
}

/**
 * Parses a BTC-style address and verifies its check code. Throws DimError `address.syntax`
 * (not 25 bytes of Base58) or `address.checksum` (check code wrong).
 */
export function parseBtcAddress(text: string): Address {
  const network = decode(text)[0]!;
  return Object.freeze({ text, kind: 'btc', network, type: entityTypeFromNetwork(network) });
}

/**
 * The legacy "search number" of a BTC-style address (wire spec §3.2), for display only: the check
 * code read as a little-endian uint32, shown as `xxx-xxx-xxxx` (hulk → `195-183-9394`).
 * Throws like `parseBtcAddress`.
 */
export function searchNumber(address: string): string {
  const bytes = decode(address);
  const code = (bytes[21]! | (bytes[22]! << 8) | (bytes[23]! << 16) | (bytes[24]! << 24)) >>> 0;
  const digits = code.toString().padStart(10, '0');
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
}
