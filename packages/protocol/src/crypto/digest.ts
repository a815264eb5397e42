import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { ripemd160 as nobleRipemd160, md5 as nobleMd5 } from '@noble/hashes/legacy.js';
import { keccak_256 } from '@noble/hashes/sha3.js';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export function ripemd160(data: Uint8Array): Uint8Array {
  return nobleRipemd160(data);
}

/** Original Keccak-256 (padding byte 0x01), as Ethereum uses; not NIST SHA3-256 (wire spec §1). */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/** MD5: only where the reference uses it (key digests, upload file names); never for security. */
export function md5(data: Uint8Array): Uint8Array {
  return nobleMd5(data);
}
