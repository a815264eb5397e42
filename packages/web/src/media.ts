// Pictures in the browser: thumbnails for outgoing images, and safe types for decrypted bytes.

/** Raster image types shown inline. SVG is not among them: a decrypted SVG opened as a page could run script. */
const RASTER: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
};

function extension(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

/** The MIME type to show a decrypted image with, or undefined when it must not be shown inline. */
export function rasterType(filename: string | undefined): string | undefined {
  return filename === undefined ? undefined : RASTER[extension(filename)];
}

/** Largest picture downloaded and decrypted without being asked (bytes). */
export const AUTO_DOWNLOAD_BYTES = 8 * 1024 * 1024;

/** Longest side of a thumbnail, in pixels. */
const THUMBNAIL_SIZE = 160;

/**
 * A small JPEG preview (`data:image/jpeg;base64,…`) of an image file for the content's `thumbnail` (wire spec
 * §5: PNF), or undefined when the browser cannot decode the file.
 */
export async function makeThumbnail(file: Blob): Promise<string | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  const scale = Math.min(1, THUMBNAIL_SIZE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext('2d');
  if (ctx === null) return undefined;
  // JPEG has no alpha: a white background instead of black for transparent pictures.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.toDataURL('image/jpeg', 0.7);
}

/** A thumbnail field that is safe to put in an `<img src>`: a raster `data:` URL only. */
export function thumbnailSrc(value: unknown): string | undefined {
  return typeof value === 'string' && /^data:image\/(jpeg|png|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(value)
    ? value
    : undefined;
}

/** Saves bytes as a download (never opened in the page: `application/octet-stream`). */
export function saveBytes(bytes: Uint8Array, filename: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
