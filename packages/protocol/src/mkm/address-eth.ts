import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak256 } from '../crypto/digest.js';
import { encodeHex } from '../encoding/hex.js';
import { encodeUtf8 } from '../encoding/utf8.js';
import { DimError } from '../errors.js';
import type { Address } from './address.js';
import { EntityType } from './entity.js';

/**
 * EIP-55 casing of 40 lower-case hex digits: a letter is upper-cased when the matching nibble of
 * Keccak256(the lower-case text) is ≥ 8 (wire spec §3.2). Returns the 40 digits without `0x`.
 */
function eip55(lowerHex: string): string {
  const hash = keccak256(encodeUtf8(lowerHex));
  let out = '';
  for (let i = 0; i < lowerHex.length; i++) {
    const c = lowerHex[i]!;
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    out += c >= 'a' && nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/** The 64-byte X ‖ Y of a secp256k1 point given as 65 bytes (04 ‖ X ‖ Y), 64 bytes, or 33 compressed. */
function pointXY(keyData: Uint8Array): Uint8Array {
  if (keyData.length === 65 && keyData[0] === 0x04) return keyData.subarray(1);
  if (keyData.length === 64) return keyData;
  if (keyData.length === 33) {
    // A key dict with `compressed: true` gives 33-byte key data; the address is still over X ‖ Y.
    return secp256k1.Point.fromBytes(keyData).toBytes(false).subarray(1);
  }
  throw new RangeError(`keyData: expected a secp256k1 point (65, 64 or 33 bytes), got ${keyData.length} bytes`);
}

/**
 * The ETH-style address of a secp256k1 public key (wire spec §3.2):
 * `0x` + EIP-55(hex(last 20 bytes of Keccak256(X ‖ Y))).
 */
export function ethAddressFromKeyData(keyData: Uint8Array): string {
  if (!(keyData instanceof Uint8Array)) throw new TypeError('keyData: expected Uint8Array');
  const hash = keccak256(pointXY(keyData));
  return '0x' + eip55(encodeHex(hash.subarray(12)));
}

/** True when the 40 digits after `0x` carry exactly the EIP-55 casing. */
export function isEip55(address: string): boolean {
  return /^0x[0-9a-fA-F]{40}$/.test(address) && address.slice(2) === eip55(address.slice(2).toLowerCase());
}

/**
 * Parses `0x` + 40 hex digits. All-lower-case and all-upper-case text is accepted without a
 * checksum, as the reference does (checks/ids.json records the lower-case form as valid); such an
 * ID never matches a meta, because the generated address is EIP-55 cased and IDs compare exactly.
 * Mixed case is a checksum and must be right: DimError `address.checksum`. Anything else:
 * DimError `address.syntax`.
 */
export function parseEthAddress(text: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) {
    throw new DimError('address.syntax', `address "${text}": expected 0x and 40 hex digits`);
  }
  const digits = text.slice(2);
  const mixed = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixed && digits !== eip55(digits.toLowerCase())) {
    throw new DimError('address.checksum', `address "${text}": EIP-55 casing does not match`);
  }
  return Object.freeze({ text, kind: 'eth', network: EntityType.USER, type: EntityType.USER });
}
