import { inflateSync } from 'node:zlib';

/** A decoded image, downscaled: RGB bytes, row by row. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 3 bytes. */
  readonly rgb: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Decoded image data (filtered scanlines) larger than this is not thumbnailed. */
const MAX_INFLATED = 96 * 1024 * 1024;
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function isPng(data: Uint8Array): boolean {
  return data.length > 8 && SIGNATURE.every((b, i) => data[i] === b);
}

function u32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes a PNG (non-interlaced; every colour type; bit depths 1–16) straight into a box-filtered copy that
 * fits `maxSide` × `maxSide`, composited on white. Answers undefined for anything it does not handle
 * (interlaced, damaged, huge): a thumbnail is optional.
 */
export function decodePngScaled(data: Uint8Array, maxSide: number): RgbImage | undefined {
  if (!isPng(data)) return undefined;
  let at = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let type = -1;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (at + 12 <= data.length) {
    const length = u32(data, at);
    const name = String.fromCharCode(data[at + 4]!, data[at + 5]!, data[at + 6]!, data[at + 7]!);
    const body = data.subarray(at + 8, at + 8 + length);
    if (body.length !== length) return undefined;
    at += 12 + length;
    if (name === 'IHDR') {
      if (length < 13) return undefined;
      width = u32(body, 0);
      height = u32(body, 4);
      depth = body[8]!;
      type = body[9]!;
      if (body[10] !== 0 || body[11] !== 0 || body[12] !== 0) return undefined; // interlaced or unknown methods
    } else if (name === 'PLTE') palette = body;
    else if (name === 'tRNS') transparency = body;
    else if (name === 'IDAT') idat.push(body);
    else if (name === 'IEND') break;
  }
  const channels = CHANNELS[type];
  if (channels === undefined || width === 0 || height === 0 || idat.length === 0) return undefined;
  if (![1, 2, 4, 8, 16].includes(depth) || (type === 3 && palette === undefined)) return undefined;
  const bitsPerPixel = channels * depth;
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
  const expected = (rowBytes + 1) * height;
  if (expected > MAX_INFLATED) return undefined;
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch {
    return undefined;
  }
  if (raw.length < expected) return undefined;

  const scale = Math.min(1, maxSide / Math.max(width, height));
  const outW = Math.max(1, Math.round(width * scale));
  const outH = Math.max(1, Math.round(height * scale));
  const sums = new Float64Array(outW * outH * 3);
  const counts = new Uint32Array(outW * outH);
  const columnBin = new Uint32Array(width);
  for (let x = 0; x < width; x++) columnBin[x] = Math.min(outW - 1, Math.floor((x * outW) / width));
  const bpp = Math.max(1, bitsPerPixel >> 3);
  let previous = new Uint8Array(rowBytes);
  let current = new Uint8Array(rowBytes);
  const max = (1 << depth) - 1;
  const sample = (row: Uint8Array, index: number): number => {
    // the index-th sample of the row, scaled to 0..255
    if (depth === 8) return row[index]!;
    if (depth === 16) return row[index * 2]!;
    const bit = index * depth;
    const value = (row[bit >> 3]! >> (8 - depth - (bit & 7))) & max;
    return type === 3 ? value : Math.round((value * 255) / max);
  };
  const rawSample = (row: Uint8Array, index: number): number => {
    if (depth === 16) return (row[index * 2]! << 8) | row[index * 2 + 1]!;
    if (depth === 8) return row[index]!;
    const bit = index * depth;
    return (row[bit >> 3]! >> (8 - depth - (bit & 7))) & max;
  };
  const transparentKey =
    transparency !== undefined && type !== 3
      ? Array.from({ length: type === 2 ? 3 : 1 }, (_, i) => (transparency![i * 2]! << 8) | transparency![i * 2 + 1]!)
      : undefined;

  for (let y = 0; y < height; y++) {
    const start = y * (rowBytes + 1);
    const filter = raw[start]!;
    const line = raw.subarray(start + 1, start + 1 + rowBytes);
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? current[i - bpp]! : 0;
      const b = previous[i]!;
      const c = i >= bpp ? previous[i - bpp]! : 0;
      const v = line[i]!;
      switch (filter) {
        case 0:
          current[i] = v;
          break;
        case 1:
          current[i] = (v + a) & 0xff;
          break;
        case 2:
          current[i] = (v + b) & 0xff;
          break;
        case 3:
          current[i] = (v + ((a + b) >> 1)) & 0xff;
          break;
        case 4:
          current[i] = (v + paeth(a, b, c)) & 0xff;
          break;
        default:
          return undefined;
      }
    }
    const rowBase = Math.min(outH - 1, Math.floor((y * outH) / height)) * outW;
    for (let x = 0; x < width; x++) {
      let r: number;
      let g: number;
      let b: number;
      let alpha = 255;
      if (type === 3) {
        const index = sample(current, x);
        r = palette![index * 3] ?? 0;
        g = palette![index * 3 + 1] ?? 0;
        b = palette![index * 3 + 2] ?? 0;
        if (transparency !== undefined && index < transparency.length) alpha = transparency[index]!;
      } else if (channels <= 2) {
        r = g = b = sample(current, x * channels);
        if (channels === 2) alpha = sample(current, x * 2 + 1);
        else if (transparentKey !== undefined && rawSample(current, x) === transparentKey[0]) alpha = 0;
      } else {
        r = sample(current, x * channels);
        g = sample(current, x * channels + 1);
        b = sample(current, x * channels + 2);
        if (channels === 4) alpha = sample(current, x * 4 + 3);
        else if (
          transparentKey !== undefined &&
          rawSample(current, x * 3) === transparentKey[0] &&
          rawSample(current, x * 3 + 1) === transparentKey[1] &&
          rawSample(current, x * 3 + 2) === transparentKey[2]
        ) {
          alpha = 0;
        }
      }
      // Composite on white: a thumbnail has no alpha.
      const k = alpha / 255;
      const bin = rowBase + columnBin[x]!;
      sums[bin * 3] = sums[bin * 3]! + r * k + 255 * (1 - k);
      sums[bin * 3 + 1] = sums[bin * 3 + 1]! + g * k + 255 * (1 - k);
      sums[bin * 3 + 2] = sums[bin * 3 + 2]! + b * k + 255 * (1 - k);
      counts[bin]!++;
    }
    [previous, current] = [current, previous];
  }
  const rgb = new Uint8Array(outW * outH * 3);
  for (let i = 0; i < outW * outH; i++) {
    const n = counts[i] || 1;
    rgb[i * 3] = Math.round(sums[i * 3]! / n);
    rgb[i * 3 + 1] = Math.round(sums[i * 3 + 1]! / n);
    rgb[i * 3 + 2] = Math.round(sums[i * 3 + 2]! / n);
  }
  return { width: outW, height: outH, rgb };
}
