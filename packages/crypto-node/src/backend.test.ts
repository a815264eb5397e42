import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DimError } from '@dimkit/protocol';
import {
  generatePrivateKey,
  generateSymmetricKey,
  jsBackend,
  parsePrivateKey,
  parsePublicKey,
  parseSymmetricKey,
  type CryptoBackend,
  type PrivateKey,
} from '@dimkit/protocol/crypto';
import { decodeBase64, decodeHex, decodeUtf8, encodeBase64, encodeHex, encodeUtf8 } from '@dimkit/protocol/encoding';
import { nodeBackend } from './index.js';

// One suite, run against every backend (like noble's platform tests), then cross-backend checks.

const VECTORS = new URL('../../../test/fixtures/vectors/', import.meta.url);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (path: string): Json => JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8')) as Json;
const list = (dir: string): string[] =>
  readdirSync(new URL(dir, VECTORS))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => dir + f);

const userFiles = [...list('users/'), 'legacy-2018/hulk.json', 'legacy-2018/moki.json', 'webclient-v1/station.json'];
const users = userFiles.map((file): Json => ({ ...load(file), file }));
const messages = list('messages/').map((file): Json => ({ ...load(file), file }));
const userById = new Map(users.map((u) => [u.id as string, u]));
const readerKeyDict = (u: Json): unknown => u.visaPrivateKey ?? u.privateKey;

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

const backends: readonly CryptoBackend[] = [jsBackend, nodeBackend];

describe.each(backends.map((b) => [b.name, b] as const))('%s backend', (_name, backend) => {
  describe('reference keys', () => {
    it.each(userFiles)('parses every key of %s and its keys sign/verify together', (file) => {
      const u = users.find((x) => x.file === file)!;
      const data = encodeUtf8(`signed by ${file}`);
      const meta = parsePublicKey(u.meta.key, backend);
      const priv = parsePrivateKey(u.privateKey, backend);
      expect(meta.verify(data, priv.sign(data))).toBe(true);
      if (u.visa !== undefined) {
        const visaKey = parsePublicKey(JSON.parse(u.visa.data).key, backend);
        const visaPriv = parsePrivateKey(readerKeyDict(u), backend);
        expect(visaKey.algorithm).toBe('RSA');
        const secret = encodeUtf8('{"algorithm":"AES","data":"x"}');
        expect(visaPriv.decrypt!(visaKey.encrypt!(secret))).toEqual(secret);
      }
    });

    it("verifies the reference visas' signatures with the meta keys", () => {
      for (const u of users.filter((x) => x.visa !== undefined)) {
        const meta = parsePublicKey(u.meta.key, backend);
        expect(meta.verify(encodeUtf8(u.visa.data), decodeBase64(u.visa.signature)), u.file).toBe(true);
      }
    });
  });

  describe.each(messages.map((m) => [m.file, m] as const))('message vector %s', (_file, m) => {
    const t = m.trace as Json;
    const sender = load(m.from);

    it('encrypts the content to exactly the reference ciphertext', () => {
      const key = parseSymmetricKey(t.password, backend);
      const iv = t.iv === null || t.iv === undefined ? undefined : decodeBase64(t.iv);
      const { ciphertext } = key.encrypt(encodeUtf8(t.contentPlaintext), iv);
      expect(encodeBase64(ciphertext)).toBe(t.signedDataBase64);
      expect(encodeBase64(ciphertext)).toBe(t.contentCiphertextBase64);
      expect(decodeUtf8(key.decrypt(ciphertext, iv))).toBe(t.contentPlaintext);
    });

    it("reproduces (RSA) or verifies (ECC) the sender's signature", () => {
      const data = decodeBase64(t.signedDataBase64);
      const signature = decodeBase64(t.signatureBase64);
      const priv = parsePrivateKey(sender.privateKey, backend);
      if (priv.algorithm === 'RSA') expect(encodeBase64(priv.sign(data))).toBe(t.signatureBase64);
      expect(parsePublicKey(sender.meta.key, backend).verify(data, signature)).toBe(true);
    });

    it("decrypts every encrypted key with its reader's key", () => {
      const entries = Object.entries((t.encryptedKeys ?? {}) as Record<string, string>);
      for (const [id, encrypted] of entries) {
        const reader = userById.get(id);
        expect(reader, id).toBeDefined();
        const key = parsePrivateKey(readerKeyDict(reader!), backend);
        expect(decodeUtf8(key.decrypt!(decodeBase64(encrypted)))).toBe(t.keyPlaintext);
      }
      expect(entries.length > 0).toBe(t.password.algorithm !== 'PLAIN');
    });
  });

  it('opens the frames a reference web client v1 sent (JSEncrypt/crypto-js made): signature, key, data', () => {
    const frames = (load('webclient-v1/frames.json').frames as Json[])
      .map((f): Json => ({ ...f, w: JSON.parse(f.wire) as Json }))
      .filter((f) => typeof f.w.key === 'string');
    expect(frames.length).toBeGreaterThan(5);
    for (const f of frames) {
      const w = f.w as Json;
      const data = decodeBase64(w.data);
      expect(parsePublicKey(load(f.from).meta.key, backend).verify(data, decodeBase64(w.signature))).toBe(true);
      const reader = parsePrivateKey(readerKeyDict(load(String(f.reader))), backend);
      const password = parseSymmetricKey(JSON.parse(decodeUtf8(reader.decrypt!(decodeBase64(w.key)))), backend);
      const content = JSON.parse(decodeUtf8(password.decrypt(data, decodeBase64(w.IV)))) as Json;
      expect(content.sn).toBe(f.expect.content.sn);
    }
  });

  it('rejects the tampered bad-signature vectors', () => {
    for (const m of messages.filter((x) => x.kind === 'bad-signature')) {
      const sender = parsePublicKey(load(m.from).meta.key, backend);
      const r = m.reliable as Json;
      expect(sender.verify(decodeBase64(r.data), decodeBase64(r.signature)), m.file).toBe(false);
    }
  });

  it('accepts high-S ECDSA signatures (reference signers do not normalize S)', () => {
    const bob = parsePrivateKey(load('users/bob.json').privateKey, backend);
    const data = encodeUtf8('high S');
    const sig = bob.sign(data);
    const [low, high] = [withS(sig, 'low'), withS(sig, 'high')];
    expect(encodeHex(high)).not.toBe(encodeHex(low));
    expect(bob.publicKey.verify(data, low)).toBe(true);
    expect(bob.publicKey.verify(data, high)).toBe(true);
    expect(bob.publicKey.verify(encodeUtf8('other'), high)).toBe(false);
  });

  describe('wire spec §10 worked examples', () => {
    const hulk = load('legacy-2018/hulk.json');
    const moki = load('legacy-2018/moki.json');

    it('§10.1: the 2018 sample key decrypts with hulk, the data with a zero IV, and moki signed it', () => {
      const sample = load('legacy-2018/message-spec-sample.json');
      const r = sample.reliable as Json;
      const keyText = decodeUtf8(parsePrivateKey(hulk.privateKey, backend).decrypt!(decodeBase64(r.key)));
      expect(keyText).toBe(sample.expect.keyPlaintext);
      const password = parseSymmetricKey(JSON.parse(keyText), backend);
      expect(decodeUtf8(password.decrypt(decodeBase64(r.data)))).toBe(sample.expect.contentPlaintext);
      const mokiMeta = parsePublicKey(moki.meta.key, backend);
      expect(mokiMeta.verify(decodeBase64(r.data), decodeBase64(r.signature))).toBe(true);
    });

    it('§10.2: exact ciphertext and RSA signature; the key decrypts with hulk', () => {
      const aes = parseSymmetricKey(
        { algorithm: 'AES', data: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' },
        backend,
      );
      const iv = decodeBase64('oKGio6SlpqeoqaqrrK2urw==');
      const content = '{"type":1,"sn":412968873,"time":1545405083.5,"text":"Hey guy!"}';
      const { ciphertext } = aes.encrypt(encodeUtf8(content), iv);
      expect(encodeBase64(ciphertext)).toBe(
        'aRUEOjBR7Vzwvz53I7zECip7LiNYS7T89qtn4CZCSxg2Ua3Z0DiymkIAohpdVaI72WMCsf+Cc1/n5IREntQ+Eg==',
      );
      expect(encodeBase64(parsePrivateKey(moki.privateKey, backend).sign(ciphertext))).toBe(
        'J7Wps70l+07P3bh70IqyGmt5rAmfiA5ourrNTYjbfVpvuDedavn64rvEXXzo1VQvYxuVzQBCcAi3wvuk+QqjU/1Nu97XYPCJ5JVoBGF+B/cyctpIz1iAYmJ2nrOSNeEkfx8j2g91Mh2ZtvkaTGZRhu5CzsHPAjdIffYwwJTlNe4=',
      );
      const key =
        'U/ggfLPOYXvQVn8AmHiFl1Lora8D2VyG5+yMB5ctTTlRiH4AGEAb1BjA6n5PPbWb7Opr7Nynm7Gmfi4nCVacKHpkAI+BdBgYURhRA6kbok/WIZ+UgAvi6kIYkFV+8zjIVelNd0l9jh7OpaJv36wGyrSyRTnuhSbDynGr3WHO1OY=';
      expect(decodeUtf8(parsePrivateKey(hulk.privateKey, backend).decrypt!(decodeBase64(key)))).toBe(
        '{"algorithm":"AES","data":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}',
      );
    });

    it('§10.4: the MKM group fingerprint is the exact RSA signature of the seed by moki', () => {
      expect(encodeBase64(parsePrivateKey(moki.privateKey, backend).sign(encodeUtf8('Group-1234')))).toBe(
        'MG+RuCo0iqXyGvFEYe1IqFiM1+gGlZN4M9ec/FwWdnIO3jMJK3oAXAZpbnVArOjgUKhP1YngJfD4Pe7CRa370OoZCVh1S9kTbTnG0woh4DlnI9uGKBNZwEJjcqpC8cBN1Y1ctHAMiDG0XJSKNpXVa2pFE+aAZ320o5r6GzzTcHo=',
      );
    });

    it('§10.4: the ETH test private key gives the well-known public point', () => {
      const key = parsePrivateKey(
        { algorithm: 'ECC', data: '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318' },
        backend,
      );
      expect(encodeHex(key.publicKey.keyData)).toBe(
        '044e3b81af9c2234cad09d679ce6035ed1392347ce64ce405f5dcd36228a25de6e47fd35c4215d1edf53e6f83de344615ce719bdb0fd878f6ed76f06dd277956de',
      );
    });
  });

  describe('randomBytes', () => {
    it('returns exactly the requested length, in memory of its own', () => {
      for (const length of [0, 1, 16, 32, 255, 256, 257, 4096, 5000]) {
        const bytes = backend.randomBytes(length);
        expect(bytes).toHaveLength(length);
        expect(bytes.byteOffset).toBe(0);
        expect(bytes.buffer.byteLength).toBe(length);
      }
    });

    it('never hands out the same bytes twice, across many refills of any pool', () => {
      const seen = new Set<string>();
      for (let i = 0; i < 2000; i++) seen.add(encodeHex(backend.randomBytes(i % 7 === 0 ? 33 : 16)));
      expect(seen.size).toBe(2000);
    });

    it('throws RangeError for a length that is not a non-negative integer', () => {
      for (const length of [-1, 1.5, Number.NaN]) expect(() => backend.randomBytes(length)).toThrow(RangeError);
    });
  });

  describe('round trips', () => {
    const rsa = generatePrivateKey('RSA', {}, backend);
    const ecc = generatePrivateKey('ECC', {}, backend);

    it('generates RSA-1024 keys whose written dicts read back to working keys', () => {
      expect(rsa.publicKey.dict['keySize']).toBeUndefined(); // 128-byte modulus
      const again = parsePrivateKey(JSON.parse(JSON.stringify(rsa.dict)), backend);
      const pub = parsePublicKey(JSON.parse(JSON.stringify(rsa.publicKey.dict)), backend);
      const data = encodeUtf8('round trip');
      expect(pub.verify(data, again.sign(data))).toBe(true);
      expect(again.dict['data']).toBe(rsa.dict['data']);
    });

    it('AES decrypts what it encrypted, for any bytes and a fresh IV each time', () => {
      const key = generateSymmetricKey(backend);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (plain) => {
          const a = key.encrypt(plain);
          const b = key.encrypt(plain);
          expect(a.iv).toHaveLength(16);
          expect(a.iv).not.toEqual(b.iv);
          expect(a.ciphertext.length).toBe((Math.floor(plain.length / 16) + 1) * 16);
          expect(key.decrypt(a.ciphertext, a.iv)).toEqual(plain);
        }),
      );
    });

    it('RSA decrypts what it encrypted, for any plaintext up to 117 bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 117 }), (plain) => {
          const ct = rsa.publicKey.encrypt!(plain);
          expect(ct).toHaveLength(128);
          expect(rsa.decrypt!(ct)).toEqual(plain);
        }),
        { numRuns: 50 },
      );
    });

    it('RSA refuses a plaintext over 117 bytes with crypto.encrypt', () => {
      expect(codeOf(() => rsa.publicKey.encrypt!(new Uint8Array(118)))).toBe('crypto.encrypt');
    });

    it('RSA and ECC signatures verify for any data, and not for other data', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ minLength: 1, maxLength: 8 }), (data, extra) => {
          for (const key of [rsa, ecc]) {
            const sig = key.sign(data);
            expect(key.publicKey.verify(data, sig)).toBe(true);
            expect(key.publicKey.verify(new Uint8Array([...data, ...extra]), sig)).toBe(false);
          }
        }),
        { numRuns: 30 },
      );
    });
  });

  describe('tampering', () => {
    const alice = parsePrivateKey(load('users/alice.json').privateKey, backend);
    const bob = parsePrivateKey(load('users/bob.json').privateKey, backend);
    const data = encodeUtf8('the signed bytes');

    it('any flipped bit in a signature, or a truncated one, gives false (never a throw)', () => {
      for (const key of [alice, bob]) {
        const sig = key.sign(data);
        fc.assert(
          fc.property(fc.nat(sig.length * 8 - 1), (bit) => {
            const bad = sig.slice();
            bad[bit >> 3]! ^= 1 << (bit & 7);
            expect(key.publicKey.verify(data, bad)).toBe(false);
          }),
          { numRuns: 40 },
        );
        expect(key.publicKey.verify(data, sig.subarray(0, sig.length - 1))).toBe(false);
        expect(key.publicKey.verify(data, new Uint8Array(0))).toBe(false);
        expect(key.publicKey.verify(data, new Uint8Array(300).fill(0xff))).toBe(false);
      }
    });

    it('a tampered RSA ciphertext gives DimError(crypto.decrypt) or other bytes, never a crash', () => {
      const plain = encodeUtf8('{"algorithm":"AES","data":"…"}');
      const ct = alice.publicKey.encrypt!(plain);
      fc.assert(
        fc.property(fc.nat(ct.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
          const bad = ct.slice();
          bad[i]! ^= x;
          const code = codeOf(() => alice.decrypt!(bad));
          if (code !== undefined) expect(code).toBe('crypto.decrypt');
        }),
        { numRuns: 40 },
      );
      expect(codeOf(() => alice.decrypt!(new Uint8Array(129)))).toBe('crypto.decrypt');
    });

    it('wrong padding in RSA decryption is DimError(crypto.decrypt)', () => {
      // Raw RSA of blocks that decrypt to bad PKCS#1 type-2 padding (built with the public numbers).
      const pub = parsePublicKey(alice.publicKey.dict, jsBackend);
      const raw = (em: Uint8Array) => rawRsa(pub.dict, em);
      const good = new Uint8Array(128).fill(7);
      good[0] = 0;
      good[1] = 2;
      good[100] = 0;
      expect(alice.decrypt!(raw(good))).toEqual(good.slice(101));
      const cases: Array<[string, (em: Uint8Array) => void]> = [
        ['type 1', (em) => (em[1] = 1)],
        ['no separator', (em) => (em[100] = 7)],
        ['padding shorter than 8 bytes', (em) => ((em[100] = 7), (em[9] = 0))],
        ['nonzero first byte', (em) => (em[0] = 1)],
      ];
      for (const [what, spoil] of cases) {
        const em = good.slice();
        spoil(em);
        expect(
          codeOf(() => alice.decrypt!(raw(em))),
          what,
        ).toBe('crypto.decrypt');
      }
    });

    it('a tampered AES ciphertext gives DimError(crypto.decrypt) or other bytes', () => {
      const key = generateSymmetricKey(backend);
      const { ciphertext, iv } = key.encrypt(encodeUtf8('x'.repeat(40)));
      const last = ciphertext.slice();
      last[last.length - 1]! ^= 0x55;
      const code = codeOf(() => key.decrypt(last, iv));
      if (code !== undefined) expect(code).toBe('crypto.decrypt');
      expect(codeOf(() => key.decrypt(ciphertext.subarray(1), iv))).toBe('crypto.decrypt');
      expect(codeOf(() => key.decrypt(new Uint8Array(0), iv))).toBe('crypto.decrypt');
      expect(codeOf(() => key.decrypt(ciphertext, new Uint8Array(8)))).toBe('crypto.decrypt');
    });
  });
});

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The same ECDSA signature with s in the low or the high half (n − s is also valid), minimal DER. */
function withS(der: Uint8Array, half: 'low' | 'high'): Uint8Array {
  const hex = encodeHex(der);
  const rLen = der[3]!;
  const r = hex.slice(8, 8 + rLen * 2);
  const sLen = der[5 + rLen]!;
  const s = BigInt('0x' + hex.slice(12 + rLen * 2, 12 + rLen * 2 + sLen * 2));
  const lowS = s <= SECP256K1_N / 2n ? s : SECP256K1_N - s;
  let out = (half === 'low' ? lowS : SECP256K1_N - lowS).toString(16);
  if (out.length % 2) out = '0' + out;
  if (parseInt(out.slice(0, 2), 16) >= 0x80) out = '00' + out;
  const body = `02${(r.length / 2).toString(16).padStart(2, '0')}${r}02${(out.length / 2).toString(16).padStart(2, '0')}${out}`;
  return decodeHex(`30${(body.length / 2).toString(16).padStart(2, '0')}${body}`);
}

/** m^e mod n straight from a public key dict (a test-only oracle for crafted padding). */
function rawRsa(dict: Json, em: Uint8Array): Uint8Array {
  const der = decodeBase64(String(dict.data).replace(/-----[A-Z ]+-----/g, ''));
  // SPKI of a 1024-bit key: the modulus is the 128 bytes after `02 81 81 00`.
  const at = encodeHex(der).indexOf('0281810');
  const n = BigInt('0x' + encodeHex(der.subarray(at / 2 + 4, at / 2 + 4 + 128)));
  let [r, b, e] = [1n, BigInt('0x' + encodeHex(em)), 65537n];
  while (e > 0n) {
    if (e & 1n) r = (r * b) % n;
    b = (b * b) % n;
    e >>= 1n;
  }
  return decodeHex(r.toString(16).padStart(256, '0'));
}

describe('cross-backend', () => {
  const alice = load('users/alice.json');
  const bob = load('users/bob.json');
  const pairs = [
    [jsBackend, nodeBackend],
    [nodeBackend, jsBackend],
  ] as const;

  it.each(pairs.map(([a, b]) => [a.name, b.name, a, b] as const))(
    'signatures made with %s verify with %s (RSA and ECC)',
    (_a, _b, from, to) => {
      for (const user of [alice, bob]) {
        const signer = parsePrivateKey(user.privateKey, from);
        const verifier = parsePublicKey(user.meta.key, to);
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
            expect(verifier.verify(data, signer.sign(data))).toBe(true);
          }),
          { numRuns: 20 },
        );
      }
    },
  );

  it.each(pairs.map(([a, b]) => [a.name, b.name, a, b] as const))(
    'RSA ciphertexts made with %s decrypt with %s',
    (_a, _b, from, to) => {
      const pub = parsePublicKey(alice.meta.key, from);
      const priv = parsePrivateKey(alice.privateKey, to);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 117 }), (plain) => {
          expect(priv.decrypt!(pub.encrypt!(plain))).toEqual(plain);
        }),
        { numRuns: 20 },
      );
    },
  );

  it('AES gives identical bytes on both backends', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ maxLength: 100 }),
        (raw, iv, plain) => {
          const dict = { algorithm: 'AES', data: encodeBase64(raw) };
          const a = parseSymmetricKey(dict, jsBackend).encrypt(plain, iv).ciphertext;
          const b = parseSymmetricKey(dict, nodeBackend).encrypt(plain, iv).ciphertext;
          expect(encodeHex(a)).toBe(encodeHex(b));
          expect(parseSymmetricKey(dict, nodeBackend).decrypt(a, iv)).toEqual(plain);
        },
      ),
    );
  });

  it('RSA signatures are identical on both backends (deterministic PKCS#1 v1.5)', () => {
    const keys: PrivateKey[] = [jsBackend, nodeBackend].map((b) =>
      parsePrivateKey(load('users/dave.json').privateKey, b),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        expect(encodeHex(keys[0]!.sign(data))).toBe(encodeHex(keys[1]!.sign(data)));
      }),
      { numRuns: 20 },
    );
  });

  it('keys generated by the node backend are valid on the JS backend and vice versa', () => {
    for (const [from, to] of pairs) {
      for (const algorithm of ['RSA', 'ECC'] as const) {
        const key = generatePrivateKey(algorithm, {}, from);
        const other = parsePrivateKey(key.dict, to);
        const data = encodeUtf8(algorithm);
        expect(parsePublicKey(key.publicKey.dict, from).verify(data, other.sign(data))).toBe(true);
      }
    }
  });
});

describe('node backend: native Base64', () => {
  it('encodes exactly as encodeBase64 does, views of larger buffers included', () => {
    const encode = nodeBackend.encodeBase64!;
    expect(encode).toBeTypeOf('function');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (bytes, offset) => {
        const padded = new Uint8Array(offset + bytes.length + 3);
        padded.set(bytes, offset);
        const view = padded.subarray(offset, offset + bytes.length);
        expect(encode(view)).toBe(encodeBase64(bytes));
      }),
    );
  });
});
