import type { RgbImage } from './files-png.js';

/**
 * A small baseline JPEG encoder for thumbnails (ITU T.81): 4:4:4 YCbCr, the standard quantisation tables
 * (Annex K.1, K.2) scaled for `quality` as libjpeg does, a straightforward separable DCT, and Huffman tables
 * of fixed code lengths (every DC category a 4-bit code, every AC symbol an 8-bit code). Fixed lengths are
 * valid JPEG and spare us the Annex K code tables; for a 128-pixel thumbnail they cost a few hundred bytes.
 */

const LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...new Array<number>(32).fill(99),
];

/** ZIGZAG[k] = the natural (row-major) index of the k-th coefficient in zig-zag order. */
const ZIGZAG: readonly number[] = (() => {
  const order: number[] = [];
  for (let s = 0; s < 15; s++) {
    const cells: number[] = [];
    for (let y = 0; y < 8; y++) {
      const x = s - y;
      if (x >= 0 && x < 8) cells.push(y * 8 + x);
    }
    // even diagonals run bottom-left to top-right, odd ones the other way
    order.push(...(s % 2 === 0 ? cells.reverse() : cells));
  }
  return order;
})();

/** COS[x * 8 + u] = C(u) / 2 · cos((2x + 1) u π / 16). */
const COS = (() => {
  const table = new Float64Array(64);
  for (let x = 0; x < 8; x++) {
    for (let u = 0; u < 8; u++) {
      table[x * 8 + u] = ((u === 0 ? Math.SQRT1_2 : 1) / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
    }
  }
  return table;
})();

/** The AC symbols: (run << 4) | size for run 0–15 and size 1–10, end-of-block 0x00 and zero-run 0xF0. */
const AC_SYMBOLS: readonly number[] = (() => {
  const symbols = [0x00, 0xf0];
  for (let run = 0; run < 16; run++) for (let size = 1; size <= 10; size++) symbols.push((run << 4) | size);
  return symbols;
})();
const AC_CODE = new Map<number, number>(AC_SYMBOLS.map((symbol, index) => [symbol, index]));
const DC_BITS = 4;
const AC_BITS = 8;

function scaledTable(base: readonly number[], quality: number): number[] {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return base.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

class BitWriter {
  readonly bytes: number[] = [];
  #buffer = 0;
  #count = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.#buffer = (this.#buffer << 1) | ((value >> i) & 1);
      if (++this.#count === 8) this.#flushByte();
    }
  }

  #flushByte(): void {
    this.bytes.push(this.#buffer);
    // byte stuffing (T.81 F.1.2.3)
    if (this.#buffer === 0xff) this.bytes.push(0);
    this.#buffer = 0;
    this.#count = 0;
  }

  /** Pads the last byte with 1-bits. */
  finish(): void {
    if (this.#count > 0) this.write(0xff, 8 - this.#count);
  }
}

function bitLength(value: number): number {
  let v = Math.abs(value);
  let n = 0;
  while (v > 0) {
    n++;
    v >>= 1;
  }
  return n;
}

/** The `size` low bits of a coefficient as T.81 F.1.2.1 writes them (ones' complement for negatives). */
function amplitude(value: number, size: number): number {
  return value >= 0 ? value : value + (1 << size) - 1;
}

function segment(marker: number, body: readonly number[]): number[] {
  const length = body.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...body];
}

function huffmanTable(tableClass: number, id: number, codeLength: number, symbols: readonly number[]): number[] {
  const counts = new Array<number>(16).fill(0);
  counts[codeLength - 1] = symbols.length;
  return [(tableClass << 4) | id, ...counts, ...symbols];
}

/** Encodes an RGB image as a baseline JPEG. */
export function encodeJpeg(image: RgbImage, quality = 70): Uint8Array {
  const { width, height, rgb } = image;
  if (width < 1 || height < 1 || width > 65535 || height > 65535 || rgb.length < width * height * 3) {
    throw new RangeError(`encodeJpeg: bad image ${width}×${height}`);
  }
  const tables = [scaledTable(LUMA, quality), scaledTable(CHROMA, quality)];
  const out: number[] = [0xff, 0xd8];
  out.push(...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  out.push(...segment(0xdb, [0x00, ...ZIGZAG.map((i) => tables[0]![i]!), 0x01, ...ZIGZAG.map((i) => tables[1]![i]!)]));
  out.push(
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]),
  );
  const dcSymbols = Array.from({ length: 12 }, (_, i) => i);
  out.push(...segment(0xc4, [...huffmanTable(0, 0, DC_BITS, dcSymbols), ...huffmanTable(1, 0, AC_BITS, AC_SYMBOLS)]));
  out.push(...segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]));

  const bits = new BitWriter();
  const previousDc = [0, 0, 0];
  const block = new Float64Array(64);
  const temp = new Float64Array(64);
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let component = 0; component < 3; component++) {
        // samples, edge pixels repeated past the border, level-shifted by 128
        for (let y = 0; y < 8; y++) {
          const sy = Math.min(height - 1, by + y);
          for (let x = 0; x < 8; x++) {
            const at = (sy * width + Math.min(width - 1, bx + x)) * 3;
            const r = rgb[at]!;
            const g = rgb[at + 1]!;
            const b = rgb[at + 2]!;
            const value =
              component === 0
                ? 0.299 * r + 0.587 * g + 0.114 * b
                : component === 1
                  ? -0.168736 * r - 0.331264 * g + 0.5 * b + 128
                  : 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
            block[y * 8 + x] = value - 128;
          }
        }
        // separable DCT: rows, then columns
        for (let y = 0; y < 8; y++) {
          for (let u = 0; u < 8; u++) {
            let sum = 0;
            for (let x = 0; x < 8; x++) sum += block[y * 8 + x]! * COS[x * 8 + u]!;
            temp[y * 8 + u] = sum;
          }
        }
        const quant = tables[component === 0 ? 0 : 1]!;
        const coefficients = new Int32Array(64);
        for (let u = 0; u < 8; u++) {
          for (let v = 0; v < 8; v++) {
            let sum = 0;
            for (let y = 0; y < 8; y++) sum += temp[y * 8 + u]! * COS[y * 8 + v]!;
            const natural = v * 8 + u;
            coefficients[natural] = Math.round(sum / quant[natural]!);
          }
        }
        // DC: the difference to the previous block of the component
        const dc = coefficients[0]!;
        const diff = Math.max(-2047, Math.min(2047, dc - previousDc[component]!));
        previousDc[component] = previousDc[component]! + diff;
        const dcSize = bitLength(diff);
        bits.write(dcSize, DC_BITS);
        if (dcSize > 0) bits.write(amplitude(diff, dcSize), dcSize);
        // AC: run-length of zeros, then size and amplitude
        let run = 0;
        for (let k = 1; k < 64; k++) {
          const value = Math.max(-1023, Math.min(1023, coefficients[ZIGZAG[k]!]!));
          if (value === 0) {
            run++;
            continue;
          }
          while (run > 15) {
            bits.write(AC_CODE.get(0xf0)!, AC_BITS);
            run -= 16;
          }
          const size = bitLength(value);
          bits.write(AC_CODE.get((run << 4) | size)!, AC_BITS);
          bits.write(amplitude(value, size), size);
          run = 0;
        }
        if (run > 0) bits.write(AC_CODE.get(0x00)!, AC_BITS);
      }
    }
  }
  bits.finish();
  const jpeg = new Uint8Array(out.length + bits.bytes.length + 2);
  jpeg.set(out);
  jpeg.set(bits.bytes, out.length);
  jpeg.set([0xff, 0xd9], out.length + bits.bytes.length);
  return jpeg;
}
