import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase58, encodeBase58 } from '../encoding/base58.js';
import { decodeHex } from '../encoding/hex.js';
import { DimError } from '../errors.js';
import { ANYWHERE, EVERYWHERE, parseAddress } from './address.js';
import { btcAddressFromFingerprint, parseBtcAddress, searchNumber } from './address-btc.js';
import { ethAddressFromKeyData, isEip55, parseEthAddress } from './address-eth.js';
import { EntityType } from './entity.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

/** Swaps the case of the first letter at or after `from` (a casing tamper that keeps the hex value). */
const flipCase = (text: string, from = 2): string => {
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c.toLowerCase() !== c.toUpperCase()) {
      const swapped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
      return text.slice(0, i) + swapped + text.slice(i + 1);
    }
  }
  throw new Error('no letter to flip');
};

// wire spec §10.4 / the well-known Ethereum vector.
const ETH_POINT =
  '044e3b81af9c2234cad09d679ce6035ed1392347ce64ce405f5dcd36228a25de6e47fd35c4215d1edf53e6f83de344615ce719bdb0fd878f6ed76f06dd277956de';
const ETH_ADDRESS = '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23';

describe('BTC-style addresses (wire spec §3.2)', () => {
  it('round-trips any fingerprint and network byte through generate and parse', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 255 }), (fp, network) => {
        const text = btcAddressFromFingerprint(fp, network);
        const parsed = parseBtcAddress(text);
        expect(parsed.network).toBe(network);
        expect(parsed.text).toBe(text);
        expect(parsed.kind).toBe('btc');
      }),
    );
  });

  it('keeps the raw legacy network byte and exposes the mapped type', () => {
    const hulk = parseAddress('4YeVEN3aUnvC1DNUufCq1bs9zoBSJTzVEj');
    expect(hulk.network).toBe(0x08);
    expect(hulk.type).toBe(EntityType.USER);
    const group = parseAddress('7aoiXULQcJhYdsDRWynf4PYydxr1yJ1ZUu');
    expect(group.network).toBe(0x10);
    expect(group.type).toBe(EntityType.GROUP);
  });

  it('rejects an address whose check code is wrong with address.checksum', () => {
    const good = '16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn';
    expect(codeOf(() => parseAddress(good.slice(0, -1) + 'a'))).toBe('address.checksum');
    // Flip one bit of the digest and re-encode: only the check code can catch it.
    const bytes = decodeBase58(good);
    bytes[10] = bytes[10]! ^ 0x01;
    expect(codeOf(() => parseAddress(encodeBase58(bytes)))).toBe('address.checksum');
  });

  it('rejects text that is not 25 bytes of Base58 with address.syntax', () => {
    expect(codeOf(() => parseAddress('bar'))).toBe('address.syntax');
    expect(codeOf(() => parseAddress('0OIl0OIl0OIl0OIl0OIl0OIl0OIl'))).toBe('address.syntax');
    expect(codeOf(() => parseAddress(encodeBase58(new Uint8Array(26).fill(7))))).toBe('address.syntax');
    expect(codeOf(() => parseAddress('1'.repeat(36)))).toBe('address.syntax');
    expect(codeOf(() => parseAddress(42))).toBe('address.syntax');
  });

  it('shows the legacy search numbers of hulk and moki', () => {
    expect(searchNumber('4YeVEN3aUnvC1DNUufCq1bs9zoBSJTzVEj')).toBe('195-183-9394');
    expect(searchNumber('4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk')).toBe('184-083-9527');
  });

  it('throws RangeError for a network that is not a byte', () => {
    expect(() => btcAddressFromFingerprint(new Uint8Array(4), 256)).toThrow(RangeError);
  });
});

describe('ETH-style addresses (wire spec §3.2)', () => {
  it('derives the well-known Ethereum address with exact EIP-55 casing', () => {
    expect(ethAddressFromKeyData(decodeHex(ETH_POINT))).toBe(ETH_ADDRESS);
    expect(ethAddressFromKeyData(decodeHex(ETH_POINT).subarray(1))).toBe(ETH_ADDRESS);
  });

  it('derives the same address from the compressed point', () => {
    const full = decodeHex(ETH_POINT);
    const compressed = new Uint8Array(33);
    compressed[0] = (full[64]! & 1) === 0 ? 0x02 : 0x03;
    compressed.set(full.subarray(1, 33), 1);
    expect(ethAddressFromKeyData(compressed)).toBe(ETH_ADDRESS);
  });

  it('parses an EIP-55 address as a USER address', () => {
    const a = parseAddress(ETH_ADDRESS);
    expect(a).toMatchObject({ kind: 'eth', network: 0, type: EntityType.USER, text: ETH_ADDRESS });
    expect(isEip55(ETH_ADDRESS)).toBe(true);
  });

  it('rejects a mixed-case address whose EIP-55 casing was tampered with', () => {
    const tampered = flipCase(ETH_ADDRESS);
    expect(isEip55(tampered)).toBe(false);
    expect(codeOf(() => parseEthAddress(tampered))).toBe('address.checksum');
  });

  it('accepts all-lower-case and all-upper-case digits as unchecksummed, as the reference does', () => {
    const lower = ETH_ADDRESS.toLowerCase();
    expect(parseAddress(lower).text).toBe(lower);
    expect(isEip55(lower)).toBe(false);
    const upper = '0x' + ETH_ADDRESS.slice(2).toUpperCase();
    expect(parseAddress(upper).kind).toBe('eth');
  });

  it('rejects 0x text that is not 40 hex digits with address.syntax', () => {
    expect(codeOf(() => parseAddress('0x' + 'g'.repeat(40)))).toBe('address.syntax');
    expect(codeOf(() => parseAddress('0x12345'))).toBe('address.syntax');
  });

  it('throws RangeError for key data that is no secp256k1 point', () => {
    expect(() => ethAddressFromKeyData(new Uint8Array(20))).toThrow(RangeError);
  });
});

describe('broadcast addresses (wire spec §3.2)', () => {
  it('recognises anywhere and everywhere case-insensitively and keeps the text', () => {
    expect(parseAddress('anywhere')).toBe(ANYWHERE);
    expect(parseAddress('everywhere')).toBe(EVERYWHERE);
    const odd = parseAddress('EveryWhere');
    expect(odd).toMatchObject({ kind: 'broadcast', network: EntityType.EVERY, type: EntityType.EVERY });
    expect(odd.text).toBe('EveryWhere');
  });
});
