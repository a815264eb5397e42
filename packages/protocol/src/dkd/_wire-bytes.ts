import { decodeBase64, decodeCanonicalBase64 } from '../encoding/base64.js';
import { decodeTed } from '../encoding/ted.js';

/** One slab holds the `data`, `signature` and `IV` of about 50 RSA-1024 messages. */
const SLAB_BYTES = 16 * 1024;
/** Fields larger than this get memory of their own. */
const MAX_SLAB_FIELD = 2 * 1024;

let slab = new Uint8Array(0);
let used = 0;

/** Bump allocation from the current slab; a region is never handed out twice. */
function allocate(length: number): Uint8Array {
  if (length > MAX_SLAB_FIELD) return new Uint8Array(length);
  if (used + length > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  const view = slab.subarray(used, used + length);
  used += length;
  return view;
}

/**
 * The bytes of a TED field of a message being opened (`data`, `signature`).
 * Every typed array above 64 bytes costs a separate native allocation, freed later by a GC
 * thread (smaller ones live on the JS heap, but are moved out, allocating, when handed to native
 * crypto), and that was most of what opening a message cost beyond the crypto (see
 * docs/benchmarks.md). So canonical Base64 is decoded into views of a shared slab, as Node pools
 * small Buffers: one allocation per ~50 messages; a region is never reused while the slab lives.
 * Only public wire bytes go there, and the views stay inside dkd (they are handed to the crypto
 * backend, never returned). Any other TED form is read by `decodeTed`, with its errors.
 */
export function wireBytes(text: unknown): Uint8Array {
  return (typeof text === 'string' ? decodeCanonicalBase64(text, allocate) : undefined) ?? decodeTed(text);
}

/** Like `wireBytes`, for the fields read as plain Base64 (`IV`, `key`, `keys` values): else `decodeBase64`. */
export function wireBase64(text: string): Uint8Array {
  return decodeCanonicalBase64(text, allocate) ?? decodeBase64(text);
}
