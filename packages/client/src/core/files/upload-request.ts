import { DimError } from '@dimkit/protocol';
import type { Identity } from '@dimkit/protocol/account';
import { md5, sha256 } from '@dimkit/protocol/crypto';
import { encodeBase64, encodeHex, encodeUtf8 } from '@dimkit/protocol/encoding';
import type { UploadRequest } from './file-transfer.js';

/**
 * The text a user signs to upload a file to a dimkit station: `dim upload`, the user's ID, the time (integer
 * seconds, as sent in `X-Dim-Time`) and the lower-case hex SHA-256 of the body, one per line. The station
 * checks the same text (@dimkit/station `uploadSigningText`; docs/operations.md "Files").
 */
export function uploadSigningText(sender: string, time: number, digest: string): string {
  return `dim upload\n${sender}\n${time}\n${digest}`;
}

/**
 * The file service of a station, from the URL the client connects to: a dimkit station serves HTTP on its
 * one port, so `ws://host:port/` and `tcp://host:port` (MTP) → `http://host:port`, `wss://…` → `https://…`.
 * An `http(s)://` URL is taken as it is. Throws DimError `cli.usage` for anything else.
 */
export function fileServiceUrl(stationUrl: string): string {
  let url: URL;
  try {
    url = new URL(stationUrl);
  } catch {
    throw new DimError('cli.usage', `not a URL: ${stationUrl}`);
  }
  const scheme = {
    'ws:': 'http:',
    'tcp:': 'http:',
    'mtp:': 'http:',
    'http:': 'http:',
    'wss:': 'https:',
    'https:': 'https:',
  }[url.protocol];
  if (scheme === undefined) throw new DimError('cli.usage', `no file service for a ${url.protocol} URL: ${stationUrl}`);
  const path = url.protocol === 'http:' || url.protocol === 'https:' ? url.pathname.replace(/\/+$/, '') : '';
  return `${scheme}//${url.host}${path}`;
}

/**
 * Builds the signed upload of `ciphertext` to the file service at `serviceUrl` (`fileServiceUrl`): the
 * station stores it as `<sha256 hex>.<extension of filename>` (only the extension leaves the device).
 */
export function prepareUpload(
  serviceUrl: string,
  identity: Identity,
  ciphertext: Uint8Array,
  filename: string,
  now: () => number = Date.now,
): UploadRequest {
  const digest = encodeHex(sha256(ciphertext));
  const time = Math.floor(now() / 1000);
  const signature = identity.privateKey.sign(encodeUtf8(uploadSigningText(identity.id.text, time, digest)));
  const dot = filename.lastIndexOf('.');
  const query = dot > 0 ? `?filename=${encodeURIComponent(`f${filename.slice(dot)}`)}` : '';
  return {
    url: `${serviceUrl.replace(/\/+$/, '')}/upload${query}`,
    body: ciphertext,
    headers: {
      'content-type': 'application/octet-stream',
      'x-dim-sender': identity.id.text,
      'x-dim-time': String(time),
      'x-dim-digest': digest,
      'x-dim-signature': encodeBase64(signature),
    },
  };
}

/**
 * Checks downloaded bytes against the content address in their URL, when it has one: a last path segment
 * starting with 64 hex digits is a SHA-256 (dimkit stations), with 32 an MD5 (the reference file server,
 * station spec §4 item 8). The URL sits in the signed message, so a file server cannot swap the bytes.
 * Throws DimError `file.digest` on a mismatch.
 */
export function checkContentAddress(url: string, data: Uint8Array): void {
  let name: string;
  try {
    name = new URL(url).pathname.split('/').pop() ?? '';
  } catch {
    return;
  }
  const match = /^([0-9a-fA-F]{64}|[0-9a-fA-F]{32})(\.[^/]*)?$/.exec(name);
  if (match === null) return;
  const expected = match[1]!.toLowerCase();
  const actual = encodeHex(expected.length === 64 ? sha256(data) : md5(data));
  if (actual !== expected) {
    throw new DimError('file.digest', `the bytes downloaded from ${url} do not match its name (got ${actual})`);
  }
}
