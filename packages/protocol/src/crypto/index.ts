// @dimkit/protocol/crypto: digests, key dicts <-> key objects, and the pure-JS backend.
export { sha256, ripemd160, keccak256, md5 } from './digest.js';
export type {
  KeyDict,
  RsaPublicKeyData,
  RsaPrivateKeyData,
  CryptoBackend,
  VerifyKey,
  PublicKey,
  PrivateKey,
  SymmetricKey,
} from './types.js';
export { jsBackend } from './js-backend.js';
export { parsePublicKey, parsePrivateKey, parseSymmetricKey, generatePrivateKey, generateSymmetricKey } from './key.js';
export { PLAIN_KEY } from './symmetric-key.js';

// For @dimkit/crypto-node only (not part of the public API; may change without notice).
export { pkcs1DecryptionUnpad as _pkcs1DecryptionUnpad } from './_pkcs1.js';
export { rsaPrivateFromDer as _rsaPrivateFromDer } from './_rsa-der.js';
