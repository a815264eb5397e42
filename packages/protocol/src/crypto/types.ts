import type { JsonObject } from '../encoding/json.js';

/** A key as it travels: a JSON dictionary with at least `algorithm` (and normally `data`). */
export type KeyDict = Readonly<JsonObject> & { readonly algorithm: string };

/** RSA public numbers plus the DER they came from (a backend may cache a native key per object). */
export interface RsaPublicKeyData {
  readonly n: bigint;
  readonly e: bigint;
  /** Modulus length in bytes (ceil(bits / 8)); ciphertexts and signatures are this long. */
  readonly size: number;
  /** SubjectPublicKeyInfo DER (what we write). */
  readonly spki: Uint8Array;
}

export interface RsaPrivateKeyData extends RsaPublicKeyData {
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qi: bigint;
  /** PKCS#1 RSAPrivateKey DER. */
  readonly pkcs1: Uint8Array;
}

/**
 * The primitive operations every key delegates to. `@dimkit/protocol` ships a pure-JS backend
 * (the default, runs in browsers); `@dimkit/crypto-node` supplies one on node:crypto. Both must
 * give identical results (ECDSA and PKCS#1 v1.5 encryption are randomized: they must interoperate).
 * Injected, never detected: importing a module never switches backends.
 */
export interface CryptoBackend {
  readonly name: string;
  /** CSPRNG bytes only. */
  randomBytes(length: number): Uint8Array;
  /** AES-256-CBC with PKCS#7 padding. */
  aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Throws DimError('crypto.decrypt') on a bad length or bad padding. */
  aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /** RSAES-PKCS1-v1_5; throws DimError('crypto.encrypt') when the plaintext is too long. */
  rsaEncrypt(key: RsaPublicKeyData, plaintext: Uint8Array): Uint8Array;
  /** RSAES-PKCS1-v1_5, padding checked in constant time; throws DimError('crypto.decrypt'). */
  rsaDecrypt(key: RsaPrivateKeyData, ciphertext: Uint8Array): Uint8Array;
  /** RSASSA-PKCS1-v1_5 with SHA-256 over `data`. */
  rsaSign(key: RsaPrivateKeyData, data: Uint8Array): Uint8Array;
  /** Returns false (never throws) for any malformed or forged signature. */
  rsaVerify(key: RsaPublicKeyData, data: Uint8Array, signature: Uint8Array): boolean;
  /** Generates an RSA key of `bits` bits with e = 65537. */
  rsaGenerate(bits: number): RsaPrivateKeyData;
  /** ECDSA secp256k1 over SHA-256(data); DER signature. `privateKey` is 32 bytes. */
  eccSign(privateKey: Uint8Array, data: Uint8Array): Uint8Array;
  /** `publicKey` is the 65-byte uncompressed point; returns false for anything malformed. */
  eccVerify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Optional native Base64 for the large fields of sealed messages (`data`): exactly what `encodeBase64`
   * of `@dimkit/protocol/encoding` returns (standard alphabet, `=` padding). Absent: that function is used.
   */
  readonly encodeBase64?: (bytes: Uint8Array) => string;
}

/** A key that can check signatures (RSA or ECC public key). */
export interface VerifyKey {
  readonly algorithm: 'RSA' | 'ECC';
  /** The dictionary to serialize (canonical form for keys we made; as received otherwise). */
  readonly dict: KeyDict;
  /** Never throws on bad signatures: false. */
  verify(data: Uint8Array, signature: Uint8Array): boolean;
  /**
   * "Key data" bytes used by BTC/ETH address derivation (wire spec §2.4, §2.5):
   * RSA: SPKI DER; ECC: 65-byte uncompressed point (33-byte compressed if `compressed: true`).
   */
  readonly keyData: Uint8Array;
}

/** A public key that may also encrypt (RSA only). */
export interface PublicKey extends VerifyKey {
  /** Present for RSA keys. Throws DimError('crypto.encrypt') if the plaintext is too long. */
  readonly encrypt?: (plaintext: Uint8Array) => Uint8Array;
}

export interface PrivateKey {
  readonly algorithm: 'RSA' | 'ECC';
  /**
   * Serializable form. Keys we write: RSA `data` = SPKI PEM + CRLF + PKCS#1 PEM (the reference's
   * combined form, wire spec §2.4); ECC `data` = 64 hex chars. Never sent in messages.
   */
  readonly dict: KeyDict;
  readonly publicKey: PublicKey;
  sign(data: Uint8Array): Uint8Array;
  /** Present for RSA keys. Throws DimError('crypto.decrypt'). */
  readonly decrypt?: (ciphertext: Uint8Array) => Uint8Array;
}

/** Message keys ("password"): AES-256-CBC or PLAIN. */
export interface SymmetricKey {
  readonly algorithm: 'AES' | 'PLAIN';
  /** What goes (encrypted) in `key`/`keys`: `{algorithm, data}` only, no local flags. */
  readonly dict: KeyDict;
  /** Raw key bytes (empty for PLAIN). */
  readonly bytes: Uint8Array;
  /** Encrypts with a fresh random IV (AES) which is returned; PLAIN returns the input and no IV. */
  encrypt(plaintext: Uint8Array, iv?: Uint8Array): { ciphertext: Uint8Array; iv?: Uint8Array };
  /**
   * `iv` absent means 16 zero bytes (legacy, wire spec §2.2), or the `iv`/`IV` of an old key dict
   * when it has one (Python/Dart readers fall back to it). Throws DimError('crypto.decrypt').
   */
  decrypt(ciphertext: Uint8Array, iv?: Uint8Array): Uint8Array;
}
