// `npm run bench -- protocol`: dimkit seal/open rates beside the raw node:crypto rate of exactly
// the crypto operations each message needs, in the same run (docs/benchmarks.md).
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  randomFillSync,
  sign,
  verify,
  type KeyObject,
  type SignKeyObjectInput,
  type VerifyKeyObjectInput,
} from 'node:crypto';
import { cpus } from 'node:os';
import { nodeBackend } from '@dimkit/crypto-node';
import {
  generatePrivateKey,
  generateSymmetricKey,
  jsBackend,
  parsePrivateKey,
  type CryptoBackend,
  type PrivateKey,
  type PublicKey,
  type VerifyKey,
} from '@dimkit/protocol/crypto';
import {
  CipherKeyCache,
  openMessage,
  sealMessage,
  type InstantMessage,
  type ReliableMessage,
} from '@dimkit/protocol/dkd';
import { decodeBase64 } from '@dimkit/protocol/encoding';
import {
  EntityType,
  MetaType,
  documentToDict,
  encryptionKeyFor,
  generateMeta,
  idFromMeta,
  metaToDict,
  parseDocument,
  parseMeta,
  signDocument,
  verificationKeysFor,
} from '@dimkit/protocol/mkm';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { alone, paired, type PairedOptions } from './_measure.js';

/** The acceptance threshold of issue 2, item 5: dimkit reaches 70% of the raw crypto rate. */
const THRESHOLD = 0.7;
const NODE_TIMING: PairedOptions = { rounds: 21, ms: 100, warmupMs: 200 };
const JS_TIMING: PairedOptions = { rounds: 5, ms: 100, warmupMs: 100 };
/** Only the cases whose `user/key/op` name contains this (for profiling one case). */
const FILTER = process.env['BENCH_FILTER'] ?? '';
/** Distinct pre-sealed messages cycled through by the open measurements. */
const POOL = 256;
/** Fixed-size content: a 100-character text. */
const TEXT = 'The quick brown fox jumps over the lazy dog while the benchmark counts every sealed message: 0123456';

type Kind = 'ecc' | 'rsa';
type KeyMode = 'reused' | 'fresh';
type Op = 'seal' | 'open';

/** A user as files hold it: dicts only, so each backend parses its own key objects. */
interface UserFile {
  readonly kind: Kind;
  readonly id: string;
  readonly meta: JsonObject;
  readonly visa: JsonObject;
  /** Signs (meta key). */
  readonly privateKey: JsonObject;
  /** Decrypts message keys (the visa key; the meta key itself for an RSA user). */
  readonly decryptKey: JsonObject;
}

/**
 * ecc: as reference users are made (ETH meta, ECC identity key, RSA-1024 visa key);
 * rsa: an MKM user whose one RSA-1024 key signs and decrypts.
 */
function newUser(kind: Kind, name: string): UserFile {
  const privateKey = generatePrivateKey(kind === 'ecc' ? 'ECC' : 'RSA', { bits: 1024 }, nodeBackend);
  const meta = kind === 'ecc' ? generateMeta(MetaType.ETH, privateKey) : generateMeta(MetaType.MKM, privateKey, name);
  const id = idFromMeta(meta, EntityType.USER);
  const decryptKey = kind === 'ecc' ? generatePrivateKey('RSA', { bits: 1024 }, nodeBackend) : privateKey;
  const visa = signDocument(
    { did: id, properties: { name, key: decryptKey.publicKey.dict as JsonObject } },
    privateKey,
  );
  return {
    kind,
    id: id.text,
    meta: metaToDict(meta),
    visa: documentToDict(visa),
    privateKey: privateKey.dict as JsonObject,
    decryptKey: decryptKey.dict as JsonObject,
  };
}

/** What one side holds when `sender` writes to `receiver`, with key objects of `backend`. */
interface Party {
  readonly backend: CryptoBackend;
  readonly signer: PrivateKey;
  readonly receiverKey: PublicKey;
  readonly me: string;
  readonly decryptKeys: readonly PrivateKey[];
  readonly verifyKeys: readonly VerifyKey[];
}

function party(sender: UserFile, receiver: UserFile, backend: CryptoBackend): Party {
  const receiverMeta = parseMeta(receiver.meta, backend);
  const senderMeta = parseMeta(sender.meta, backend);
  return {
    backend,
    signer: parsePrivateKey(sender.privateKey, backend),
    receiverKey: encryptionKeyFor(receiverMeta, parseDocument(receiver.visa), backend),
    me: receiver.id,
    decryptKeys: [parsePrivateKey(receiver.decryptKey, backend)],
    verifyKeys: verificationKeysFor(senderMeta, parseDocument(sender.visa), backend),
  };
}

function instantMessage(sender: UserFile, receiver: UserFile): InstantMessage {
  const time = 1_795_539_070.5;
  return {
    sender: sender.id,
    receiver: receiver.id,
    time,
    content: { type: 1, sn: 1_234_567_890, time, text: TEXT },
  } as InstantMessage;
}

// ---- raw node:crypto: the same operations on the same bytes, with native keys made once ----

interface RawKeys {
  readonly sign: SignKeyObjectInput | KeyObject;
  readonly verify: VerifyKeyObjectInput | KeyObject;
  /** The receiver's RSA key: encrypts and (private) decrypts the message key. */
  readonly encrypt: KeyObject;
  readonly decrypt: KeyObject;
}

function rsaPrivatePem(dict: JsonObject): KeyObject {
  const data = String(dict['data']);
  const pem = /-----BEGIN RSA PRIVATE KEY-----[\s\S]+?-----END RSA PRIVATE KEY-----/.exec(data);
  if (pem === null) throw new Error('bench: RSA private key without a PKCS#1 PEM block');
  return createPrivateKey(pem[0]);
}

function eccPrivate(dict: JsonObject): { key: KeyObject; publicKey: KeyObject } {
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(Buffer.from(String(dict['data']), 'hex'));
  const point = ecdh.getPublicKey();
  const jwk = {
    kty: 'EC',
    crv: 'secp256k1',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33, 65).toString('base64url'),
  };
  return {
    key: createPrivateKey({ key: { ...jwk, d: ecdh.getPrivateKey().toString('base64url') }, format: 'jwk' }),
    publicKey: createPublicKey({ key: jwk, format: 'jwk' }),
  };
}

function rawKeys(sender: UserFile, receiver: UserFile): RawKeys {
  const decrypt = rsaPrivatePem(receiver.decryptKey);
  const encrypt = createPublicKey(decrypt);
  if (sender.kind === 'ecc') {
    const { key, publicKey } = eccPrivate(sender.privateKey);
    return {
      sign: { key, dsaEncoding: 'der' },
      verify: { key: publicKey, dsaEncoding: 'der' },
      encrypt,
      decrypt,
    };
  }
  const signer = rsaPrivatePem(sender.privateKey);
  return { sign: signer, verify: createPublicKey(signer), encrypt, decrypt };
}

function aesEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

function aesDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** One sealed message and the raw pieces of it, for opening either way. */
interface Sealed {
  readonly message: ReliableMessage;
  readonly key: Uint8Array;
  /** The plaintext of `wrapped`: the key dict's JSON. */
  readonly keyJson: string;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly wrapped: Uint8Array;
  readonly signature: Uint8Array;
}

function sealPool(sender: UserFile, receiver: UserFile, p: Party, mode: KeyMode): Sealed[] {
  const instant = instantMessage(sender, receiver);
  const reusedKey = generateSymmetricKey(nodeBackend);
  const keyCache = mode === 'reused' ? new CipherKeyCache() : undefined;
  const pool: Sealed[] = [];
  for (let i = 0; i < POOL; i++) {
    const symmetricKey = mode === 'reused' ? reusedKey : generateSymmetricKey(nodeBackend);
    // A reused key is wrapped once (sealer key cache), so every message carries the same `key`.
    const message = sealMessage(instant, { signer: p.signer, receiverKey: p.receiverKey, symmetricKey, keyCache });
    pool.push({
      message,
      key: symmetricKey.bytes,
      keyJson: JSON.stringify(symmetricKey.dict),
      iv: decodeBase64(message.IV!),
      ciphertext: decodeBase64(message.data),
      wrapped: decodeBase64(message.key!),
      signature: decodeBase64(message.signature),
    });
  }
  return pool;
}

interface Case {
  readonly kind: Kind;
  readonly mode: KeyMode;
  readonly op: Op;
  /** dimkit with one party's key objects (and backend): one message per call. */
  readonly dimkit: (p: Party) => () => void;
  /** node:crypto alone: exactly the operations of one message. */
  readonly raw: () => void;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`bench self-check failed: ${what}`);
}

function casesFor(kind: Kind): { cases: Case[]; parties: Record<'node' | 'js', Party> } {
  const sender = newUser(kind, 'alice');
  const receiver = newUser(kind, 'bob');
  const parties = { node: party(sender, receiver, nodeBackend), js: party(sender, receiver, jsBackend) };
  const raw = rawKeys(sender, receiver);
  const instant = instantMessage(sender, receiver);
  const pools = {
    reused: sealPool(sender, receiver, parties.node, 'reused'),
    fresh: sealPool(sender, receiver, parties.node, 'fresh'),
  };

  // The exact bytes the seal encrypts, signs and wraps (IV guard + content JSON; key JSON).
  const first = pools.fresh[0]!;
  const plaintext = aesDecrypt(first.key, first.iv, first.ciphertext);
  const keyJson = Buffer.from(first.keyJson);
  const reusedKey = pools.reused[0]!.key;

  // Self-checks: dimkit opens every pooled message, and raw node:crypto verifies it and finds
  // the same plaintext, so both sides do the same work on the same bytes.
  for (const mode of ['reused', 'fresh'] as const) {
    for (const s of pools[mode]) {
      const opened = openMessage(s.message, parties.node);
      check(opened.content['text'] === TEXT, `${kind}/${mode}: dimkit opens its message`);
      check(verify('sha256', s.ciphertext, raw.verify, s.signature), `${kind}/${mode}: raw verify`);
      check(aesDecrypt(s.key, s.iv, s.ciphertext).equals(plaintext), `${kind}/${mode}: raw AES`);
    }
  }
  check(new Set(pools.reused.map((s) => s.message.key)).size === 1, `${kind}: a reused key is wrapped once`);
  check(new Set(pools.fresh.map((s) => s.message.key)).size === POOL, `${kind}: fresh keys differ`);
  check(
    privateDecrypt({ key: raw.decrypt, padding: constants.RSA_NO_PADDING }, first.wrapped).length === 128,
    'RSA-1024 block',
  );

  const iv = Buffer.alloc(16);
  const aesKey = Buffer.alloc(32);
  /** Hands out the pool's messages in turn; `onWrap` runs before each pass over the pool. */
  const cycle = (pool: Sealed[], onWrap?: () => void) => {
    let i = 0;
    return (): Sealed => {
      if (i === POOL) i = 0;
      if (i === 0) onWrap?.();
      return pool[i++]!;
    };
  };

  const cases: Case[] = [
    {
      kind,
      mode: 'reused',
      op: 'seal',
      dimkit: (p) => {
        const options = {
          signer: p.signer,
          receiverKey: p.receiverKey,
          keyCache: new CipherKeyCache(),
          backend: p.backend,
        };
        return () => sealMessage(instant, options);
      },
      raw: () => {
        randomFillSync(iv);
        sign('sha256', aesEncrypt(reusedKey, iv, plaintext), raw.sign);
      },
    },
    {
      kind,
      mode: 'reused',
      op: 'open',
      dimkit: (p) => {
        const next = cycle(pools.reused);
        const options = { ...p, keyCache: new CipherKeyCache() };
        return () => openMessage(next().message, options);
      },
      raw: (() => {
        const next = cycle(pools.reused);
        return () => {
          const s = next();
          if (verify('sha256', s.ciphertext, raw.verify, s.signature)) aesDecrypt(s.key, s.iv, s.ciphertext);
        };
      })(),
    },
    {
      kind,
      mode: 'fresh',
      op: 'seal',
      dimkit: (p) => {
        const options = { signer: p.signer, receiverKey: p.receiverKey, backend: p.backend };
        return () => sealMessage(instant, options);
      },
      raw: () => {
        randomFillSync(aesKey);
        randomFillSync(iv);
        const ciphertext = aesEncrypt(aesKey, iv, plaintext);
        publicEncrypt({ key: raw.encrypt, padding: constants.RSA_PKCS1_PADDING }, keyJson);
        sign('sha256', ciphertext, raw.sign);
      },
    },
    {
      kind,
      mode: 'fresh',
      op: 'open',
      // A receiver with a key cache that has seen none of these keys: a new cache per pool cycle.
      dimkit: (p) => {
        let options = { ...p, keyCache: new CipherKeyCache() };
        const next = cycle(pools.fresh, () => (options = { ...p, keyCache: new CipherKeyCache() }));
        return () => openMessage(next().message, options);
      },
      raw: (() => {
        const next = cycle(pools.fresh);
        return () => {
          const s = next();
          if (verify('sha256', s.ciphertext, raw.verify, s.signature)) {
            privateDecrypt({ key: raw.decrypt, padding: constants.RSA_NO_PADDING }, s.wrapped);
            aesDecrypt(s.key, s.iv, s.ciphertext);
          }
        };
      })(),
    },
  ];
  return { cases, parties };
}

interface Row {
  readonly user: Kind;
  readonly key: KeyMode;
  readonly op: Op;
  readonly dimkit: number;
  readonly raw: number;
  readonly ratio: number;
  readonly js: number;
}

function label(c: Case): string {
  return `${c.kind}/${c.mode}/${c.op}`;
}

function main(): void {
  const started = performance.now();
  const setups = (['ecc', 'rsa'] as const).map((kind) => casesFor(kind));
  const selected = setups.flatMap(({ cases, parties }) =>
    cases.filter((c) => label(c).includes(FILTER)).map((c) => ({ c, parties })),
  );
  // node:crypto backend first, every case; the pure-JS backend afterwards, so its key objects
  // never share the node measurements' call sites (a real process uses one backend).
  const measured = selected.map(({ c, parties }) => {
    const result = paired(c.dimkit(parties.node), c.raw, NODE_TIMING);
    console.log(
      `${label(c).padEnd(16)} dimkit ${fmt(result.subject)}/s  raw ${fmt(result.baseline)}/s  ` +
        `ratio ${(result.ratio * 100).toFixed(1).padStart(5)}%`,
    );
    return { c, parties, result };
  });
  const rows: Row[] = measured.map(({ c, parties, result }) => {
    const js = alone(c.dimkit(parties.js), JS_TIMING);
    console.log(`${label(c).padEnd(16)} pure-JS backend ${fmt(js)}/s`);
    return {
      user: c.kind,
      key: c.mode,
      op: c.op,
      dimkit: result.subject,
      raw: result.baseline,
      ratio: result.ratio,
      js,
    };
  });
  if (rows.length === 0) throw new Error(`bench: no case matches BENCH_FILTER=${FILTER}`);
  const worst = Math.min(...rows.map((r) => r.ratio));
  const pass = worst >= THRESHOLD;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${pass ? 'PASS' : 'FAIL'}: lowest ratio ${(worst * 100).toFixed(1)}% (threshold ${THRESHOLD * 100}%), ${seconds.toFixed(1)} s`,
  );
  console.log(
    JSON.stringify({
      bench: 'protocol',
      node: process.version,
      cpus: cpus().length,
      date: new Date().toISOString(),
      threshold: THRESHOLD,
      pass,
      method: {
        clock: 'process CPU time',
        rounds: NODE_TIMING.rounds,
        sliceMs: NODE_TIMING.ms,
        ratio: 'median of per-round dimkit/raw, slices alternating',
      },
      results: rows.map((r) => ({
        ...r,
        dimkit: Math.round(r.dimkit),
        raw: Math.round(r.raw),
        ratio: Math.round(r.ratio * 1000) / 1000,
        js: Math.round(r.js),
      })),
    }),
  );
  if (!pass) process.exitCode = 1;
}

function fmt(rate: number): string {
  return Math.round(rate).toString().padStart(6);
}

main();
