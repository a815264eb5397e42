import { encodeBase64 } from '@dimkit/protocol/encoding';
import { decodePngScaled, isPng } from './files-png.js';
import { encodeJpeg } from './files-jpeg.js';

/** Longest side of a thumbnail made from a PNG. */
export const THUMBNAIL_SIDE = 128;
/** A JPEG this small is its own thumbnail. */
const SMALL_JPEG = 16 * 1024;
/** An embedded EXIF thumbnail larger than this is not used. */
const MAX_EXIF_THUMBNAIL = 64 * 1024;

export function isJpeg(data: Uint8Array): boolean {
  return data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
}

/**
 * The thumbnail a camera wrote into a JPEG's EXIF block (APP1 `Exif\0\0`, IFD1 tags 0x0201/0x0202), if any.
 * Bounds are checked at every step: a malformed block yields undefined.
 */
export function exifThumbnail(data: Uint8Array): Uint8Array | undefined {
  if (!isJpeg(data)) return undefined;
  let at = 2;
  while (at + 4 <= data.length && data[at] === 0xff) {
    const marker = data[at + 1]!;
    if (marker === 0xda || marker === 0xd9) return undefined; // image data starts: no APP1 before it
    const length = (data[at + 2]! << 8) | data[at + 3]!;
    const body = data.subarray(at + 4, at + 2 + length);
    at += 2 + length;
    if (marker !== 0xe1 || body.length < 14) continue;
    if (String.fromCharCode(...body.subarray(0, 6)) !== 'Exif\0\0') continue;
    const tiff = body.subarray(6);
    const little = tiff[0] === 0x49 && tiff[1] === 0x49;
    if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
    const u16 = (o: number) =>
      o + 2 > tiff.length ? -1 : little ? tiff[o]! | (tiff[o + 1]! << 8) : (tiff[o]! << 8) | tiff[o + 1]!;
    const u32 = (o: number) =>
      o + 4 > tiff.length
        ? -1
        : little
          ? (tiff[o]! | (tiff[o + 1]! << 8) | (tiff[o + 2]! << 16) | (tiff[o + 3]! << 24)) >>> 0
          : ((tiff[o]! << 24) | (tiff[o + 1]! << 16) | (tiff[o + 2]! << 8) | tiff[o + 3]!) >>> 0;
    const ifd0 = u32(4);
    const entries0 = u16(ifd0);
    if (ifd0 < 0 || entries0 < 0) return undefined;
    const ifd1 = u32(ifd0 + 2 + entries0 * 12);
    if (ifd1 <= 0) return undefined;
    const entries1 = u16(ifd1);
    let offset = -1;
    let size = -1;
    for (let i = 0; i < entries1; i++) {
      const entry = ifd1 + 2 + i * 12;
      const tag = u16(entry);
      if (tag === 0x0201) offset = u32(entry + 8);
      if (tag === 0x0202) size = u32(entry + 8);
    }
    if (offset <= 0 || size <= 0 || size > MAX_EXIF_THUMBNAIL || offset + size > tiff.length) return undefined;
    const thumbnail = tiff.slice(offset, offset + size);
    return isJpeg(thumbnail) ? thumbnail : undefined;
  }
  return undefined;
}

/**
 * A small `data:image/jpeg;base64,…` preview for an image content's `thumbnail` (wire spec §5 table), made
 * without an image library: a PNG is decoded, shrunk to fit 128 × 128 and encoded as JPEG; a JPEG gives its
 * EXIF thumbnail, or itself when it is at most 16 KiB. Anything else (GIF, WebP, a large JPEG without an
 * embedded thumbnail, an interlaced PNG) gets none: a thumbnail is optional.
 */
export function imageThumbnail(data: Uint8Array): string | undefined {
  let jpeg: Uint8Array | undefined;
  if (isPng(data)) {
    const image = decodePngScaled(data, THUMBNAIL_SIDE);
    if (image !== undefined) jpeg = encodeJpeg(image, 70);
  } else if (isJpeg(data)) {
    jpeg = exifThumbnail(data) ?? (data.length <= SMALL_JPEG ? data : undefined);
  }
  return jpeg === undefined ? undefined : `data:image/jpeg;base64,${encodeBase64(jpeg)}`;
}
