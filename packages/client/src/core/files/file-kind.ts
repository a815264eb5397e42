/** Which file content a name calls for (wire spec §5: 0x12 image, 0x14 audio, 0x16 video, else 0x10 file). */
export type FileKind = 'file' | 'image' | 'audio' | 'video';

const KINDS: Readonly<Record<string, FileKind>> = Object.freeze({
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  gif: 'image',
  webp: 'image',
  heic: 'image',
  bmp: 'image',
  mp3: 'audio',
  m4a: 'audio',
  aac: 'audio',
  ogg: 'audio',
  opus: 'audio',
  wav: 'audio',
  mp4: 'video',
  mov: 'video',
  webm: 'video',
  mkv: 'video',
});

export function fileKindOf(filename: string): FileKind {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? 'file' : (KINDS[filename.slice(dot + 1).toLowerCase()] ?? 'file');
}
