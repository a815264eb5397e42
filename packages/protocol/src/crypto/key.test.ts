// eslint-disable-next-line no-restricted-imports -- tests run on Node: vector files, and OpenSSL as an independent oracle
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
// eslint-disable-next-line no-restricted-imports -- tests run on Node and read the shared vector files
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DimError } from '../errors.js';
import { decodeBase64, encodeBase64 } from '../encoding/base64.js';
import { decodeHex, encodeHex } from '../encoding/hex.js';
import { encodeUtf8 } from '../encoding/utf8.js';
import { rsaPrivateKeyData, rsaPublicKeyData } from './_rsa-der.js';
import {
  PLAIN_KEY,
  generatePrivateKey,
  generateSymmetricKey,
  parsePrivateKey,
  parsePublicKey,
  jsBackend,
  parseSymmetricKey,
  type CryptoBackend,
  type KeyDict,
} from './index.js';
import { rsaPrivateDict } from './rsa-key.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (path: string): Json =>
  JSON.parse(readFileSync(new URL(`../../../../test/fixtures/vectors/${path}`, import.meta.url), 'utf8')) as Json;

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

const alice = load('users/alice.json');
const bob = load('users/bob.json');
const dave = load('users/dave.json');
const hulk = load('legacy-2018/hulk.json');
const data = encodeUtf8('signed bytes');

const pemOf = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${encodeBase64(der)}\n-----END ${label}-----`;
const pemBody = (pem: string): string => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
const rsa = (keyData: string, extra: Json = {}): Json => ({ algorithm: 'RSA', data: keyData, ...extra });
const ecc = (keyData: string): Json => ({ algorithm: 'ECC', data: keyData });

describe('RSA public keys: every data form of wire spec §2.4', () => {
  const spkiPem: string = alice.meta.key.data;
  const spkiDer = decodeBase64(pemBody(spkiPem));
  const native = createPublicKey({ key: pemOf('PUBLIC KEY', spkiDer), format: 'pem' });
  const pkcs1Der = native.export({ format: 'der', type: 'pkcs1' });
  const pkcs1B64 = pkcs1Der.toString('base64');
  const lines = (b64: string, eol: string) => (b64.match(/.{1,64}/g) ?? []).join(eol);
  const signature = parsePrivateKey(alice.privateKey).sign(data);

  const forms: Array<[string, string]> = [
    ['SPKI PEM (JS)', spkiPem],
    [
      'PKCS#1 RSA PUBLIC KEY PEM with \\n and 64-char lines (Python)',
      native.export({ format: 'pem', type: 'pkcs1' }).toString(),
    ],
    [
      'PKCS#1 RSA PUBLIC KEY PEM with \\r\\n and one-line Base64 (Dart)',
      `-----BEGIN RSA PUBLIC KEY-----\r\n${pkcs1B64}\r\n-----END RSA PUBLIC KEY-----`,
    ],
    [
      'BEGIN PUBLIC KEY around a PKCS#1 body (2018 accounts)',
      `-----BEGIN PUBLIC KEY-----\n${lines(pkcs1B64, '\n')}\n-----END PUBLIC KEY-----`,
    ],
    ['bare Base64 SPKI DER', encodeBase64(spkiDer)],
    ['bare Base64 PKCS#1 DER', pkcs1B64],
    ['the combined public + private PEM text', alice.privateKey.data],
  ];

  it.each(forms)('reads %s', (_what, text) => {
    const key = parsePublicKey(rsa(text));
    expect(key.algorithm).toBe('RSA');
    expect(key.keyData).toEqual(new Uint8Array(spkiDer));
    expect(key.verify(data, signature)).toBe(true);
  });

  it('reads the mislabelled 2018 key of hulk', () => {
    expect(hulk.meta.key.data).toContain('BEGIN PUBLIC KEY-----\nMIGJAoGB');
    const key = parsePublicKey(hulk.meta.key);
    expect(key.verify(data, parsePrivateKey(hulk.privateKey).sign(data))).toBe(true);
  });

  it('accepts the algorithm aliases of §2.1', () => {
    for (const algorithm of ['RSA', 'SHA256withRSA', 'RSA/ECB/PKCS1Padding'])
      expect(parsePublicKey({ ...alice.meta.key, algorithm }).algorithm).toBe('RSA');
  });

  it('works with a modulus a bit short of 1024 (dave: 1023 bits, still 128-byte blocks)', () => {
    const priv = parsePrivateKey(dave.privateKey);
    const pub = parsePublicKey(dave.meta.key);
    const ct = pub.encrypt!(encodeUtf8('k'));
    expect(ct).toHaveLength(128);
    expect(priv.decrypt!(ct)).toEqual(encodeUtf8('k'));
    expect(pub.verify(data, priv.sign(data))).toBe(true);
    expect(priv.publicKey.dict['keySize']).toBeUndefined();
  });

  it('keeps the dict it was given (relaying never rewrites a key)', () => {
    const dict = { ...alice.meta.key, extra: 'kept' };
    expect(parsePublicKey(dict).dict).toBe(dict);
  });
});

describe('parsed public keys are shared per key text', () => {
  it('hands a backend the same key-data object for the same text, so native keys can be cached', () => {
    const seen: unknown[] = [];
    const spy: CryptoBackend = {
      ...jsBackend,
      rsaVerify: (key, d, s) => (seen.push(key), jsBackend.rsaVerify(key, d, s)),
      eccVerify: (key, d, s) => (seen.push(key), jsBackend.eccVerify(key, d, s)),
    };
    for (const dict of [alice.meta.key, bob.meta.key]) {
      seen.length = 0;
      parsePublicKey({ ...dict }, spy).verify(data, new Uint8Array(0));
      parsePublicKey({ ...dict, extra: 1 }, spy).verify(data, new Uint8Array(0));
      expect(seen).toHaveLength(2);
      expect(seen[0]).toBe(seen[1]);
    }
  });
});

describe('RSA private keys', () => {
  it('reads the combined form, PKCS#1 PEM and PKCS#8 PEM to the same key', () => {
    const combined = parsePrivateKey(alice.privateKey);
    const privatePart = alice.privateKey.data.slice(alice.privateKey.data.indexOf('-----BEGIN RSA'));
    const pkcs8 = createPrivateKey(privatePart).export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(pkcs8).toContain('BEGIN PRIVATE KEY');
    const sig = combined.sign(data);
    for (const text of [privatePart, pkcs8]) {
      const key = parsePrivateKey(rsa(text));
      expect(key.sign(data)).toEqual(sig);
      expect(key.publicKey.keyData).toEqual(combined.publicKey.keyData);
    }
  });

  it('writes exactly what the reference wrote: SPKI PEM, and the combined private form', () => {
    for (const user of [alice, dave, load('users/gate.json')]) {
      const key = parsePrivateKey(user.privateKey);
      expect(key.publicKey.dict).toEqual({
        algorithm: 'RSA',
        data: user.meta.key.data,
        mode: 'ECB',
        padding: 'PKCS1',
        digest: 'SHA256',
      });
      const numbers = rsaPrivateKeyData(readNumbers(user.privateKey.data));
      expect(rsaPrivateDict(numbers)['data']).toBe(user.privateKey.data);
    }
  });

  it('writes keySize (bytes) only for moduli that are not 128 bytes', () => {
    const der = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' });
    const big = parsePublicKey(rsa(encodeBase64(der)));
    expect(big.encrypt!(encodeUtf8('x'))).toHaveLength(256);
    const generated = generatePrivateKey('RSA', { bits: 2048 });
    expect(generated.publicKey.dict['keySize']).toBe(256);
    expect(generatePrivateKey('RSA').publicKey.dict['keySize']).toBeUndefined();
  });

  it('generates a 1024-bit key by default whose files OpenSSL reads too', () => {
    const key = generatePrivateKey('RSA');
    const text = String(key.dict['data']);
    expect(text).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\r\n-----BEGIN RSA PRIVATE KEY-----\n/,
    );
    const native = createPrivateKey(text.slice(text.indexOf('-----BEGIN RSA')));
    expect(native.asymmetricKeyDetails?.modulusLength).toBe(1024);
    const spki = createPublicKey(text.slice(0, text.indexOf('\r\n'))).export({ format: 'der', type: 'spki' });
    expect(encodeHex(new Uint8Array(spki))).toBe(encodeHex(key.publicKey.keyData));
    expect(Object.keys(key.dict)).toEqual(['algorithm', 'data', 'mode', 'padding', 'digest']);
  });
});

/** RSA private numbers read by OpenSSL (an oracle independent of our DER reader). */
function readNumbers(text: string) {
  const jwk = createPrivateKey(text.slice(text.indexOf('-----BEGIN RSA'))).export({ format: 'jwk' });
  const big = (v: string | undefined) =>
    BigInt('0x' + (encodeHex(decodeBase64(v!.replace(/-/g, '+').replace(/_/g, '/'))) || '0'));
  return {
    n: big(jwk.n),
    e: big(jwk.e),
    d: big(jwk.d),
    p: big(jwk.p),
    q: big(jwk.q),
    dp: big(jwk.dp),
    dq: big(jwk.dq),
    qi: big(jwk.qi),
  };
}

describe('ECC keys: every data form of wire spec §2.5', () => {
  const point: string = bob.meta.key.data;
  const secret: string = bob.privateKey.data;
  const native = createPrivateKey({ key: { kty: 'EC', crv: 'secp256k1', ...jwkOf(point, secret) }, format: 'jwk' });
  const signature = parsePrivateKey(bob.privateKey).sign(data);

  it.each<[string, string]>([
    ['130-hex uncompressed', point],
    ['130-hex upper case', point.toUpperCase()],
    ['66-hex compressed', compress(point)],
    ['128-hex raw X‖Y', point.slice(2)],
    ['SPKI PEM', createPublicKey(native).export({ format: 'pem', type: 'spki' }).toString()],
  ])('reads a public key as %s', (_what, text) => {
    const key = parsePublicKey(ecc(text));
    expect(encodeHex(key.keyData)).toBe(point);
    expect(key.verify(data, signature)).toBe(true);
    expect(key.encrypt).toBeUndefined();
  });

  it('uses the compressed point as key data only when the dict says compressed: true', () => {
    expect(encodeHex(parsePublicKey({ ...bob.meta.key, compressed: true }).keyData)).toBe(compress(point));
  });

  it.each<[string, string]>([
    ['64 hex', secret],
    ['PKCS#8 PEM (Python)', native.export({ format: 'pem', type: 'pkcs8' }).toString()],
    ['SEC1 EC PRIVATE KEY PEM (Dart)', native.export({ format: 'pem', type: 'sec1' }).toString()],
  ])('reads a private key as %s', (_what, text) => {
    const key = parsePrivateKey(ecc(text));
    expect(encodeHex(key.publicKey.keyData)).toBe(point);
    expect(parsePublicKey(bob.meta.key).verify(data, key.sign(data))).toBe(true);
  });

  it('accepts the SHA256withECDSA alias and writes the canonical dicts', () => {
    const key = parsePrivateKey({ ...bob.privateKey, algorithm: 'SHA256withECDSA' });
    expect(key.publicKey.dict).toEqual({ algorithm: 'ECC', curve: 'secp256k1', data: point, digest: 'SHA256' });
    const generated = generatePrivateKey('ECC');
    expect(Object.keys(generated.dict)).toEqual(['algorithm', 'data']);
    expect(String(generated.dict['data'])).toMatch(/^[0-9a-f]{64}$/);
    expect(String(generated.publicKey.dict['data'])).toMatch(/^04[0-9a-f]{128}$/);
  });
});

function jwkOf(pointHex: string, secretHex: string) {
  const b64url = (hex: string) =>
    encodeBase64(decodeHex(hex)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return { x: b64url(pointHex.slice(2, 66)), y: b64url(pointHex.slice(66)), d: b64url(secretHex) };
}

function compress(pointHex: string): string {
  const yOdd = parseInt(pointHex.slice(-1), 16) & 1;
  return (yOdd ? '03' : '02') + pointHex.slice(2, 66);
}

describe('bad keys give typed errors', () => {
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p256Pem = p256.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const eccSpki = createPublicKey(
    createPrivateKey({
      key: { kty: 'EC', crv: 'secp256k1', ...jwkOf(bob.meta.key.data, bob.privateKey.data) },
      format: 'jwk',
    }),
  )
    .export({ format: 'pem', type: 'spki' })
    .toString();

  it.each<[string, unknown, string]>([
    ['not an object', 'RSA', 'key.format'],
    ['null', null, 'key.format'],
    ['an array', [], 'key.format'],
    ['no algorithm', { data: alice.meta.key.data }, 'key.format'],
    ['a numeric algorithm', { algorithm: 1, data: 'x' }, 'key.format'],
    ['an unknown algorithm', { algorithm: 'DSA', data: 'x' }, 'key.algorithm'],
    ['DES (declared, not implemented)', { algorithm: 'DES', data: 'x' }, 'key.algorithm'],
    ['a symmetric algorithm', { algorithm: 'AES', data: 'x' }, 'key.algorithm'],
    ['RSA without data', { algorithm: 'RSA' }, 'key.format'],
    ['RSA data that is not a string', { algorithm: 'RSA', data: 5 }, 'key.format'],
    ['RSA data that is neither PEM nor Base64', rsa('not a key!'), 'key.format'],
    ['RSA PEM without END line', rsa('-----BEGIN PUBLIC KEY-----\nMIGf'), 'key.format'],
    ['RSA PEM with a non-Base64 body', rsa('-----BEGIN PUBLIC KEY-----\n%%%%\n-----END PUBLIC KEY-----'), 'key.format'],
    ['RSA dict holding an EC key', rsa(eccSpki), 'key.algorithm'],
    [
      'RSA dict holding only a private key',
      rsa(alice.privateKey.data.slice(alice.privateKey.data.indexOf('-----BEGIN RSA'))),
      'key.format',
    ],
    ['RSA data over 16 KiB', rsa('A'.repeat(20000)), 'key.size'],
    ['ECC dict holding an RSA key', ecc(alice.meta.key.data), 'key.algorithm'],
    ['ECC P-256 key', ecc(p256Pem), 'key.algorithm'],
    ['ECC point not on the curve', ecc('04' + '11'.repeat(64)), 'key.format'],
    ['ECC hex of a wrong length', ecc('04' + '11'.repeat(40)), 'key.format'],
    ['ECC data that is not hex', ecc('zz'.repeat(65)), 'key.format'],
  ])('parsePublicKey: %s', (_what, dict, code) => {
    expect(codeOf(() => parsePublicKey(dict))).toBe(code);
  });

  it.each<[string, unknown, string]>([
    ['an RSA public key only', alice.meta.key, 'key.format'],
    [
      'an encrypted PKCS#8 PEM',
      rsa('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIC\n-----END ENCRYPTED PRIVATE KEY-----'),
      'key.format',
    ],
    ['an ECC scalar of zero', ecc('00'.repeat(32)), 'key.format'],
    ['an ECC scalar ≥ n', ecc('ff'.repeat(32)), 'key.format'],
    ['an ECC scalar of 31 bytes', ecc('11'.repeat(31)), 'key.format'],
    ['an ECC public key', bob.meta.key, 'key.format'],
  ])('parsePrivateKey: %s', (_what, dict, code) => {
    expect(codeOf(() => parsePrivateKey(dict))).toBe(code);
  });

  it('rejects RSA numbers that do not belong together, and moduli out of range', () => {
    const n = readNumbers(alice.privateKey.data);
    expect(codeOf(() => rsaPrivateKeyData({ ...n, qi: n.qi + 1n }))).toBe('key.format');
    expect(codeOf(() => rsaPrivateKeyData({ ...n, d: n.d + 2n }))).toBe('key.format');
    expect(codeOf(() => rsaPublicKeyData(2n ** 300n + 1n, 65537n))).toBe('key.size');
    expect(codeOf(() => rsaPublicKeyData(n.n, 2n))).toBe('key.format');
    expect(codeOf(() => rsaPublicKeyData(n.n, 2n ** 70n + 1n))).toBe('key.format');
  });

  it('throws only DimError on arbitrary key data (fuzz)', () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 300 }).map((b) => encodeBase64(b)),
      fc
        .uint8Array({ maxLength: 300 })
        .map((b) => `-----BEGIN PUBLIC KEY-----\n${encodeBase64(b)}\n-----END PUBLIC KEY-----`),
      fc.uint8Array({ maxLength: 300 }).map((b) => encodeHex(b)),
    );
    fc.assert(
      fc.property(anyText, fc.constantFrom('RSA', 'ECC'), (text, algorithm) => {
        for (const parse of [parsePublicKey, parsePrivateKey]) {
          const code = codeOf(() => parse({ algorithm, data: text }));
          if (code !== undefined) expect(code).toMatch(/^key\./);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('throws only DimError on DER that is a mutated real key (fuzz)', () => {
    const der = decodeBase64(pemBody(alice.meta.key.data));
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const bad = der.slice();
        bad[i]! ^= x;
        const code = codeOf(() => parsePublicKey(rsa(encodeBase64(bad))));
        if (code !== undefined) expect(code).toMatch(/^key\./);
      }),
      { numRuns: 300 },
    );
  });

  it('generatePrivateKey throws TypeError / RangeError for caller bugs', () => {
    expect(() => generatePrivateKey('DSA' as 'RSA')).toThrow(TypeError);
    expect(() => generatePrivateKey('RSA', { bits: 100 })).toThrow(RangeError);
  });
});

describe('symmetric keys (wire spec §2.2, §2.3)', () => {
  const raw = decodeBase64('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=');
  const dict = { algorithm: 'AES', data: encodeBase64(raw) };

  it('reads AES and its alias, with TED data and ignored legacy fields', () => {
    for (const d of [
      dict,
      { ...dict, algorithm: 'AES/CBC/PKCS7Padding' },
      { ...dict, data: `base64,${dict.data}` },
      {
        ...dict,
        keySize: 32,
        sizeInBits: 256,
        blockSize: 16,
        mode: 'CBC',
        padding: 'PKCS7',
        reused: true,
        digest: 'x',
      },
    ]) {
      const key = parseSymmetricKey(d);
      expect(key.algorithm).toBe('AES');
      expect(key.bytes).toEqual(raw);
      expect(key.dict).toBe(d);
    }
  });

  it('decrypts with a zero IV when none is given (legacy), else with the key dict’s old iv', () => {
    const key = parseSymmetricKey(dict);
    const plain = encodeUtf8('{"sn":1,"text":"Hey guy!","type":1}');
    const zero = key.encrypt(plain, new Uint8Array(16)).ciphertext;
    expect(key.decrypt(zero)).toEqual(plain);
    const iv = new Uint8Array(16).fill(3);
    const withIv = parseSymmetricKey({ ...dict, iv: encodeBase64(iv) });
    expect(withIv.decrypt(withIv.encrypt(plain, iv).ciphertext)).toEqual(plain);
    expect(codeOf(() => parseSymmetricKey({ ...dict, iv: 'AAAA' }))).toBe('key.format');
  });

  it('generates {algorithm, data} only, short enough for RSA-1024 (§11 item 5)', () => {
    const key = generateSymmetricKey();
    expect(Object.keys(key.dict)).toEqual(['algorithm', 'data']);
    expect(decodeBase64(String(key.dict['data']))).toHaveLength(32);
    expect(JSON.stringify(key.dict).length).toBeLessThan(117);
    expect(generateSymmetricKey().bytes).not.toEqual(key.bytes);
  });

  it('PLAIN passes bytes through and has no IV', () => {
    const bytes = encodeUtf8('{"type":1}');
    for (const key of [PLAIN_KEY, parseSymmetricKey({ algorithm: 'PLAIN' })]) {
      expect(key.algorithm).toBe('PLAIN');
      const out = key.encrypt(bytes);
      expect(out.ciphertext).toEqual(bytes);
      expect(out.iv).toBeUndefined();
      expect(key.decrypt(bytes)).toEqual(bytes);
    }
    expect(PLAIN_KEY.dict).toEqual({ algorithm: 'PLAIN' } satisfies KeyDict);
  });

  it.each<[string, unknown, string]>([
    ['a 16-byte AES key', { algorithm: 'AES', data: encodeBase64(new Uint8Array(16)) }, 'key.size'],
    ['AES without data (2018 passphrase form)', { algorithm: 'AES', keySize: 32, passphrase: 'x' }, 'key.format'],
    ['AES data that is not Base64', { algorithm: 'AES', data: '!!' }, 'key.format'],
    ['DES', { algorithm: 'DES', data: encodeBase64(new Uint8Array(8)) }, 'key.algorithm'],
    ['an RSA key', alice.meta.key, 'key.algorithm'],
    ['short key names (expanded elsewhere)', { A: 'AES', D: dict.data }, 'key.format'],
  ])('rejects %s', (_what, d, code) => {
    expect(codeOf(() => parseSymmetricKey(d))).toBe(code);
  });
});
