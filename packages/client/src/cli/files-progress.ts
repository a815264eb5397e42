import type { ProgressListener } from '../core/files/file-transfer.js';

/** How transfers show progress on stderr: `bar` redraws one line, `plain` prints a line per 10 %, `none`. */
export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bar', 'plain', 'none'];

/** `1.5 MiB`, `730 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** One frame of the bar: `upload  photo.png  [██████░░░░░░░░░░░░░░]  30%  1.2 MiB / 4.0 MiB`. */
export function progressLine(label: string, done: number, total: number | undefined, width = 20): string {
  if (total === undefined || total === 0) return `${label}  ${formatBytes(done)}`;
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `${label}  [${bar}] ${percent}  ${formatBytes(done)} / ${formatBytes(total)}`;
}

export interface ProgressBar {
  readonly listener: ProgressListener;
  /** Ends the bar's line (after the last frame). */
  finish(): void;
}

/**
 * A progress display for one transfer on `stream` (stderr): `bar` redraws a line in place with `\r` at
 * most every 50 ms (and always the last frame), `plain` prints one line at each 10 % step. `auto` is `bar`
 * on a terminal, else `none`.
 */
export function progressBar(
  label: string,
  mode: ProgressMode,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  const effective = mode === 'auto' ? (stream.isTTY ? 'bar' : 'none') : mode;
  let last = 0;
  let lastStep = -1;
  let drawn = false;
  const listener: ProgressListener = (done, total) => {
    if (effective === 'none') return;
    if (effective === 'plain') {
      const step = total === undefined || total === 0 ? 10 : Math.floor((done / total) * 10);
      if (step === lastStep) return;
      lastStep = step;
      stream.write(`${progressLine(label, done, total)}\n`);
      return;
    }
    const now = Date.now();
    const final = total !== undefined && done >= total;
    if (!final && drawn && now - last < 50) return;
    last = now;
    drawn = true;
    stream.write(`\r${progressLine(label, done, total)}\x1b[K`);
  };
  return {
    listener,
    finish() {
      if (effective === 'bar' && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
