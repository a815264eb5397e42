// Files (wire spec §5.1): encryption with a fresh key per file and its IV in the content, the signed upload
// the station checks, content addresses, and a round trip through a real station (in this process) with
// progress both ways.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32, deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { nodeBackend } from '@dimkit/crypto-node';
import { isDimError } from '@dimkit/protocol';
import type { Identity } from '@dimkit/protocol/account';
import { contentToWire } from '@dimkit/protocol/compat';
import { createFileContent, isFileContent, isImageContent, type FileContent } from '@dimkit/protocol/content';
import { md5, sha256 } from '@dimkit/protocol/crypto';
import { decodeBase64, encodeBase64, encodeHex, encodeUtf8 } from '@dimkit/protocol/encoding';
import { FILES_DIR, Station, http, parseStationConfig, silentLogger } from '@dimkit/station';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  checkContentAddress,
  decryptFile,
  downloadFile,
  encryptFile,
  fetchFileTransfer,
  fileKindOf,
  fileServiceUrl,
  MemoryClientStore,
  Messenger,
  prepareUpload,
  sendFile,
  uploadFile,
  uploadSigningText,
  type FileTransfer,
  type MessageEvent,
} from '../src/core/index.js';
import { httpFileTransfer, transportForUrl } from '../src/node/index.js';
import { exifThumbnail, imageThumbnail } from '../src/node/files-thumbnail.js';
import { newUser, until } from './fake-station.js';

const dirs: string[] = [];
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle));
}

async function startStation(files: Record<string, unknown> = {}): Promise<{ port: number; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dim-files-station-'));
  dirs.push(dataDir);
  const config = parseStationConfig({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', files });
  const station = new Station({ config, logger: silentLogger(), webRoot: false });
  const address = await station.start();
  cleanup.push(() => station.stop());
  return { port: address.port, dataDir };
}

async function online(identity: Identity, port: number): Promise<Messenger> {
  const store = new MemoryClientStore();
  const messenger = new Messenger({
    identity,
    store,
    transport: transportForUrl(`ws://127.0.0.1:${port}/`),
    backend: nodeBackend,
  });
  cleanup.push(() => messenger.stop());
  await messenger.start();
  await until(() => messenger.state === 'running', 10_000, 'running');
  return messenger;
}

describe('file encryption (wire spec §5.1)', () => {
  it('encrypts each file with a fresh AES key and a random IV, and decrypts with the content fields', () => {
    const data = encodeUtf8('the quarterly figures');
    const a = encryptFile(data, nodeBackend);
    const b = encryptFile(data, nodeBackend);
    expect(a.key['algorithm']).toBe('AES');
    expect(a.key['data']).not.toBe(b.key['data']);
    expect(a.iv).not.toBe(b.iv);
    expect(decodeBase64(a.iv)).toHaveLength(16);
    expect(contains(a.ciphertext, data)).toBe(false);
    const content = createFileContent({ URL: 'http://x/y', filename: 'f.txt', key: a.key, IV: a.iv });
    expect(decryptFile(a.ciphertext, content, nodeBackend)).toEqual(data);
  });

  it('takes the IV from the content, else from the key dict, else zero', () => {
    const data = encodeUtf8('iv fallbacks');
    const { key } = encryptFile(data, nodeBackend);
    const keyBytes = decodeBase64(key['data'] as string);
    const iv = randomBytes(16);
    const ciphertext = new Uint8Array(
      nodeBackend.aesCbcEncrypt(keyBytes, iv, data), // what an app with a legacy `iv` in the key wrote
    );
    const legacyKey = { ...key, iv: encodeBase64(iv) };
    expect(decryptFile(ciphertext, createFileContent({ URL: 'u', key: legacyKey }), nodeBackend)).toEqual(data);
    expect(
      decryptFile(ciphertext, createFileContent({ URL: 'u', key: { ...key }, IV: encodeBase64(iv) }), nodeBackend),
    ).toEqual(data);
    const zero = nodeBackend.aesCbcEncrypt(keyBytes, new Uint8Array(16), data);
    expect(decryptFile(zero, createFileContent({ URL: 'u', key }), nodeBackend)).toEqual(data);
  });

  it('passes PLAIN files through and refuses a content without a key', () => {
    const data = encodeUtf8('linked, not encrypted');
    expect(decryptFile(data, createFileContent({ URL: 'u', key: { algorithm: 'PLAIN' } }))).toEqual(data);
    expect(() => decryptFile(data, createFileContent({ URL: 'u' }))).toThrow(
      expect.objectContaining({ code: 'key.missing' }),
    );
  });

  it('refuses a wrong key with crypto.decrypt (bad padding) nearly always', () => {
    const data = randomBytes(1000);
    const a = encryptFile(data, nodeBackend);
    let failures = 0;
    for (let i = 0; i < 16; i++) {
      const other = encryptFile(data, nodeBackend);
      try {
        decryptFile(a.ciphertext, createFileContent({ URL: 'u', key: other.key, IV: a.iv }), nodeBackend);
      } catch (error) {
        if (isDimError(error, 'crypto.decrypt')) failures++;
      }
    }
    // A random wrong key yields valid PKCS#7 padding about once in 256 tries.
    expect(failures).toBeGreaterThanOrEqual(14);
  });

  it('writes the file key as both `key` and `password` on the wire', () => {
    const { key, iv } = encryptFile(encodeUtf8('x'), nodeBackend);
    const wire = contentToWire(createFileContent({ URL: 'http://h/f', filename: 'a.txt', key, IV: iv }));
    expect(wire['key']).toEqual(key);
    expect(wire['password']).toEqual(key);
    expect(wire['IV']).toBe(iv);
  });
});

describe('content addresses and service URLs', () => {
  it('checks SHA-256 (dimkit) and MD5 (reference) names and ignores other names', () => {
    const data = encodeUtf8('bytes');
    const good = encodeHex(sha256(data));
    expect(() => checkContentAddress(`http://h/files/${good}.png`, data)).not.toThrow();
    expect(() => checkContentAddress(`http://h/download/u/${encodeHex(md5(data))}.jpg`, data)).not.toThrow();
    expect(() => checkContentAddress(`http://h/files/${good}`, encodeUtf8('other'))).toThrow(
      expect.objectContaining({ code: 'file.digest' }),
    );
    expect(() => checkContentAddress(`http://h/files/${'0'.repeat(32)}.jpg`, data)).toThrow(
      expect.objectContaining({ code: 'file.digest' }),
    );
    expect(() => checkContentAddress('http://h/avatar.png', data)).not.toThrow();
  });

  it('derives the file service from the station URL', () => {
    expect(fileServiceUrl('ws://127.0.0.1:9394/')).toBe('http://127.0.0.1:9394');
    expect(fileServiceUrl('wss://dim.example.org/')).toBe('https://dim.example.org');
    expect(fileServiceUrl('tcp://10.0.0.1:9394')).toBe('http://10.0.0.1:9394');
    expect(fileServiceUrl('https://files.example.org/dim/')).toBe('https://files.example.org/dim');
    expect(() => fileServiceUrl('ftp://x')).toThrow(expect.objectContaining({ code: 'cli.usage' }));
  });

  it('names contents by extension', () => {
    expect(fileKindOf('a.JPG')).toBe('image');
    expect(fileKindOf('talk.m4a')).toBe('audio');
    expect(fileKindOf('clip.mp4')).toBe('video');
    expect(fileKindOf('notes.txt')).toBe('file');
    expect(fileKindOf('README')).toBe('file');
  });

  it('signs the same text the station checks, and only the extension of the name leaves the device', () => {
    const alice = newUser('alice');
    const body = randomBytes(100);
    const request = prepareUpload('http://h:1/', alice, body, 'secret plans.PDF', () => 1_700_000_000_000);
    expect(request.url).toBe('http://h:1/upload?filename=f.PDF');
    const digest = encodeHex(sha256(body));
    expect(request.headers['x-dim-digest']).toBe(digest);
    expect(uploadSigningText(alice.id.text, 1_700_000_000, digest)).toBe(
      http.uploadSigningText(alice.id.text, 1_700_000_000, digest),
    );
    const signed = encodeUtf8(http.uploadSigningText(alice.id.text, 1_700_000_000, digest));
    expect(alice.meta.key.verify(signed, decodeBase64(request.headers['x-dim-signature']!))).toBe(true);
  });
});

describe('files through a station', () => {
  it('alice sends bob a file: fresh key, ciphertext on the station, progress both ways, same bytes back', async () => {
    const { port, dataDir } = await startStation();
    const alice = newUser('alice');
    const bob = newUser('bob');
    const [a, b] = await Promise.all([online(alice, port), online(bob, port)]);
    const received: MessageEvent[] = [];
    b.on('message', (e) => received.push(e));

    const plaintext = randomBytes(300_000);
    const ups: [number, number | undefined][] = [];
    const message = await sendFile(
      a,
      bob.id.text,
      { data: plaintext, filename: 'report.bin' },
      {
        transfer: httpFileTransfer({ chunkBytes: 32 * 1024 }),
        service: fileServiceUrl(`ws://127.0.0.1:${port}/`),
        identity: alice,
        backend: nodeBackend,
        onProgress: (done, total) => ups.push([done, total]),
      },
    );
    await a.waitForReceipt(message.id, 10_000);
    await until(() => received.length === 1, 10_000, 'the file message');

    // upload progress: from 0 to the ciphertext size, never backwards
    const cipherLength = plaintext.length + 16 - (plaintext.length % 16);
    expect(ups[0]).toEqual([0, cipherLength]);
    expect(ups.at(-1)).toEqual([cipherLength, cipherLength]);
    expect(ups.length).toBeGreaterThan(3);
    for (let i = 1; i < ups.length; i++) expect(ups[i]![0]).toBeGreaterThanOrEqual(ups[i - 1]![0]);

    const content = received[0]!.message.content;
    expect(isFileContent(content)).toBe(true);
    const file = content as FileContent;
    expect(file).toMatchObject({ filename: 'report.bin', length: plaintext.length });
    expect(file.URL).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/files/[0-9a-f]{64}\\.bin$`));
    expect(decodeBase64(file.IV!)).toHaveLength(16);

    // the station holds only ciphertext, under the SHA-256 of that ciphertext
    const stored = readdirSync(join(dataDir, FILES_DIR));
    expect(stored).toHaveLength(1);
    const bytes = new Uint8Array(readFileSync(join(dataDir, FILES_DIR, stored[0]!)));
    expect(bytes).toHaveLength(cipherLength);
    expect(stored[0]).toBe(`${encodeHex(sha256(bytes))}.bin`);
    expect(contains(bytes, plaintext.subarray(1000, 1064))).toBe(false);

    const downs: [number, number | undefined][] = [];
    const back = await downloadFile(file, {
      transfer: httpFileTransfer(),
      backend: nodeBackend,
      onProgress: (done, total) => downs.push([done, total]),
    });
    expect(back).toEqual(plaintext);
    expect(downs.at(-1)).toEqual([cipherLength, cipherLength]);

    // the fetch-based transfer (browsers) gets the same bytes
    expect(await downloadFile(file, { transfer: fetchFileTransfer(), backend: nodeBackend })).toEqual(plaintext);
  });

  it('an image gets an image content with its thumbnail', async () => {
    const { port } = await startStation();
    const alice = newUser('alice');
    await online(alice, port);
    // A JPEG of at most 16 KiB is its own thumbnail (here: just the bytes given).
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...new Array<number>(100).fill(1), 0xff, 0xd9]);
    const content = await uploadFile(
      { data: jpeg, filename: 'me.jpg' },
      {
        transfer: httpFileTransfer(),
        service: `http://127.0.0.1:${port}`,
        identity: alice,
        thumbnail: 'data:image/jpeg;base64,AAAA',
      },
    );
    expect(isImageContent(content)).toBe(true);
    expect(content['thumbnail']).toBe('data:image/jpeg;base64,AAAA');
  });

  it('a file over the station limit is refused with file.too_large and nothing is stored', async () => {
    const { port, dataDir } = await startStation({ maxBytes: 64 * 1024 });
    const alice = newUser('alice');
    await online(alice, port);
    const options = {
      transfer: httpFileTransfer(),
      service: `http://127.0.0.1:${port}`,
      identity: alice,
      backend: nodeBackend,
    };
    await expect(uploadFile({ data: randomBytes(100_000), filename: 'big.bin' }, options)).rejects.toMatchObject({
      code: 'file.too_large',
    });
    await expect(
      uploadFile({ data: randomBytes(100_000), filename: 'big.bin' }, { ...options, transfer: fetchFileTransfer() }),
    ).rejects.toMatchObject({ code: 'file.too_large' });
    expect(readdirSync(join(dataDir, FILES_DIR))).toEqual([]);
    // just under the limit goes through (ciphertext = plaintext rounded up to the next 16 bytes)
    await expect(uploadFile({ data: randomBytes(64 * 1024 - 16), filename: 'ok.bin' }, options)).resolves.toBeDefined();
  });

  it('a user the station has never seen cannot upload (file.transfer, 401)', async () => {
    const { port, dataDir } = await startStation();
    const stranger = newUser('stranger');
    await expect(
      uploadFile(
        { data: encodeUtf8('spam'), filename: 'x.txt' },
        { transfer: httpFileTransfer(), service: `http://127.0.0.1:${port}`, identity: stranger },
      ),
    ).rejects.toMatchObject({ code: 'file.transfer', message: expect.stringContaining('401') });
    expect(existsSync(join(dataDir, FILES_DIR))).toBe(true);
    expect(readdirSync(join(dataDir, FILES_DIR))).toEqual([]);
  });

  it('a download whose bytes were swapped on the server is refused (file.digest)', async () => {
    const { port } = await startStation();
    const alice = newUser('alice');
    await online(alice, port);
    const service = `http://127.0.0.1:${port}`;
    const transfer = httpFileTransfer();
    const real = await uploadFile(
      { data: encodeUtf8('the real file'), filename: 'a.txt' },
      {
        transfer,
        service,
        identity: alice,
      },
    );
    const decoy = await uploadFile(
      { data: encodeUtf8('a decoy'), filename: 'b.txt' },
      {
        transfer,
        service,
        identity: alice,
      },
    );
    // a file server that answers the decoy's bytes for the real file's URL
    const lying: FileTransfer = { upload: transfer.upload, download: () => transfer.download(decoy.URL!, {}) };
    await expect(downloadFile(real, { transfer: lying })).rejects.toMatchObject({ code: 'file.digest' });
  });

  it('refuses a download over maxBytes (declared size) with file.too_large', async () => {
    const { port } = await startStation();
    const alice = newUser('alice');
    await online(alice, port);
    const transfer = httpFileTransfer();
    const content = await uploadFile(
      { data: randomBytes(5000), filename: 'a.bin' },
      {
        transfer,
        service: `http://127.0.0.1:${port}`,
        identity: alice,
      },
    );
    await expect(downloadFile(content, { transfer, maxBytes: 4096 })).rejects.toMatchObject({
      code: 'file.too_large',
    });
    await expect(downloadFile(content, { transfer: fetchFileTransfer(), maxBytes: 4096 })).rejects.toMatchObject({
      code: 'file.too_large',
    });
  });
});

/** A PNG written with node:zlib, for the thumbnail tests (scanlines with filter 0, or a given filter per row). */
function png(
  width: number,
  height: number,
  colorType: number,
  bitDepth: number,
  rowBytes: (y: number) => Uint8Array,
  extra: [string, Uint8Array][] = [],
  interlace = 0,
): Uint8Array {
  const chunk = (type: string, body: Uint8Array) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([head, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  ihdr[12] = interlace;
  const rows = Array.from({ length: height }, (_, y) => Buffer.concat([Buffer.from([0]), rowBytes(y)]));
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      ...extra.map(([type, body]) => chunk(type, body)),
      chunk('IDAT', deflateSync(Buffer.concat(rows))),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

/** Width and height from a JPEG's SOF0, after checking SOI/EOI. */
function jpegSize(uri: string): { width: number; height: number; bytes: number } {
  expect(uri).toMatch(/^data:image\/jpeg;base64,/);
  const data = decodeBase64(uri.slice(uri.indexOf(',') + 1));
  expect([data[0], data[1]]).toEqual([0xff, 0xd8]);
  expect([data.at(-2), data.at(-1)]).toEqual([0xff, 0xd9]);
  for (let i = 2; i < data.length - 9; i++) {
    if (data[i] === 0xff && data[i + 1] === 0xc0) {
      return {
        height: (data[i + 5]! << 8) | data[i + 6]!,
        width: (data[i + 7]! << 8) | data[i + 8]!,
        bytes: data.length,
      };
    }
  }
  throw new Error('no SOF0');
}

describe('image thumbnails without an image library', () => {
  it('shrinks an RGB PNG to fit 128 × 128 and encodes it as a baseline JPEG', () => {
    const image = png(300, 200, 2, 8, (y) => new Uint8Array(900).map((_, i) => (i % 3 === 0 ? i / 3 : y) & 0xff));
    const size = jpegSize(imageThumbnail(image)!);
    expect(size).toMatchObject({ width: 128, height: 85 });
    expect(size.bytes).toBeLessThan(20_000);
  });

  it('reads palette, grey + alpha, 16-bit and sub-byte PNGs', () => {
    const palette = png(40, 20, 3, 4, () => new Uint8Array(20).fill(0x12), [
      ['PLTE', new Uint8Array([255, 0, 0, 0, 0, 255, 0, 255, 0])],
      ['tRNS', new Uint8Array([255, 128])],
    ]);
    expect(jpegSize(imageThumbnail(palette)!)).toMatchObject({ width: 40, height: 20 });
    const greyAlpha = png(10, 10, 4, 8, () => new Uint8Array(20).fill(200));
    expect(jpegSize(imageThumbnail(greyAlpha)!)).toMatchObject({ width: 10, height: 10 });
    const deep = png(500, 50, 6, 16, () => new Uint8Array(500 * 8).fill(0x80));
    expect(jpegSize(imageThumbnail(deep)!)).toMatchObject({ width: 128, height: 13 });
    const bits = png(16, 16, 0, 1, (y) => new Uint8Array(2).fill(y % 2 ? 0xaa : 0x55));
    expect(jpegSize(imageThumbnail(bits)!)).toMatchObject({ width: 16, height: 16 });
  });

  it('gives no thumbnail for what it does not handle: interlaced or damaged PNGs, other formats', () => {
    expect(imageThumbnail(png(8, 8, 2, 8, () => new Uint8Array(24), [], 1))).toBeUndefined();
    const damaged = png(8, 8, 2, 8, () => new Uint8Array(24));
    expect(imageThumbnail(damaged.subarray(0, damaged.length - 30))).toBeUndefined();
    expect(imageThumbnail(encodeUtf8('GIF89a....'))).toBeUndefined();
  });

  it('takes the EXIF thumbnail of a large JPEG, a small JPEG as it is, and nothing from a large plain one', () => {
    const small = new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0, 2, 0xff, 0xd9]);
    expect(imageThumbnail(small)).toBe(`data:image/jpeg;base64,${encodeBase64(small)}`);

    // APP1 "Exif\0\0" + little-endian TIFF: IFD0 with no entries -> IFD1 with 0x0201 (offset) and 0x0202 (length)
    const thumb = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    const tiff = new Uint8Array(8 + 6 + 2 + 24 + 4 + thumb.length);
    const view = new DataView(tiff.buffer);
    tiff.set([0x49, 0x49, 42, 0]);
    view.setUint32(4, 8, true); // IFD0 at 8
    view.setUint16(8, 0, true); // no entries
    view.setUint32(10, 14, true); // IFD1 at 14
    view.setUint16(14, 2, true);
    view.setUint16(16, 0x0201, true);
    view.setUint16(18, 4, true);
    view.setUint32(20, 1, true);
    view.setUint32(24, 44, true); // thumbnail offset
    view.setUint16(28, 0x0202, true);
    view.setUint16(30, 4, true);
    view.setUint32(32, 1, true);
    view.setUint32(36, thumb.length, true);
    tiff.set(thumb, 44);
    const app1 = new Uint8Array([...encodeUtf8('Exif\0\0'), ...tiff]);
    const big = new Uint8Array([
      0xff,
      0xd8,
      0xff,
      0xe1,
      (app1.length + 2) >> 8,
      (app1.length + 2) & 0xff,
      ...app1,
      0xff,
      0xda,
      ...new Array<number>(20_000).fill(7),
      0xff,
      0xd9,
    ]);
    expect(exifThumbnail(big)).toEqual(thumb);
    expect(imageThumbnail(big)).toBe(`data:image/jpeg;base64,${encodeBase64(thumb)}`);
    const plain = new Uint8Array([0xff, 0xd8, 0xff, 0xda, ...new Array<number>(20_000).fill(7), 0xff, 0xd9]);
    expect(imageThumbnail(plain)).toBeUndefined();
  });
});
