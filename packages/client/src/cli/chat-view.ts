import { isFileContent, isTextContent, type Content } from '@dimkit/protocol/content';
import type { StoredMessage } from '../core/client-store.js';
import type { MessageState } from '../core/message-state.js';
import { formatBytes } from './files-progress.js';

/**
 * What `dim chat` shows, as pure functions of the stored messages (chat-command.ts draws them). Marks of
 * our own messages follow the message states (docs/client.md "Sending"): `…` pending, `✓` sent,
 * `✓ cached` kept by the station for an offline receiver, `✓✓` delivered, `✓✓ read`, `✗` failed.
 */
export const MARKS: Readonly<Record<MessageState, string>> = Object.freeze({
  pending: '…',
  sent: '✓',
  cached: '✓ cached',
  delivered: '✓✓',
  read: '✓✓ read',
  failed: '✗',
});

/** `HH:MM` of a DIMP time (seconds), local time. */
export function clock(time: number): string {
  const date = new Date(time * 1000);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** The body of a message as one line: its text, or a short description of what it carries. */
export function describeContent(content: Content): string {
  if (isTextContent(content)) return content.text.replace(/[\r\n]+/g, ' ⏎ ');
  if (isFileContent(content)) {
    const kind = { 16: 'file', 18: 'image', 20: 'audio', 22: 'video' }[content.type] ?? 'file';
    const size = typeof content.length === 'number' ? `, ${formatBytes(content.length)}` : '';
    return `[${kind} ${content.filename ?? '(no name)'}${size}]`;
  }
  const command = content['command'];
  if (typeof command === 'string') {
    // group commands kept in a group's conversation (wire spec §6.6): `[invite 0x12…, 0x34…]`
    const members = content['members'];
    const list = Array.isArray(members) ? members.filter((m): m is string => typeof m === 'string') : [];
    return `[${command}${list.length === 0 ? '' : ` ${list.join(', ')}`}]`;
  }
  return `[content type ${content.type}]`;
}

/** Removes terminal control characters from text that came from the network. */
export function printable(text: string): string {
  return [...text]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && !(c >= '\u0080' && c <= '\u009f'))
    .join('');
}

/** One message as a line: `18:03 #12 alice: hi bob ✓✓`. */
export function messageLine(message: StoredMessage, name: string): string {
  const body = printable(describeContent(message.content));
  const get = isFileContent(message.content) ? `  (/get ${message.id})` : '';
  const mark =
    message.direction === 'out'
      ? ` ${MARKS[message.state]}${message.state === 'failed' && message.error !== undefined ? ` ${printable(message.error)}` : ''}`
      : '';
  return `${clock(message.time)} #${message.id} ${printable(name)}: ${body}${get}${mark}`;
}

/** Visual width of a line in terminal columns (one per code point; good enough for a chat). */
export function columns(text: string): number {
  return [...text].length;
}

/** Cuts a line into rows of `width` columns. */
export function wrap(line: string, width: number): string[] {
  const chars = [...line];
  if (width <= 0 || chars.length <= width) return [line];
  const rows: string[] = [];
  for (let i = 0; i < chars.length; i += width) rows.push(chars.slice(i, i + width).join(''));
  return rows;
}

/** The last rows of `lines` that fit in `height` rows of `width` columns, blank rows first to fill it. */
export function fitRows(lines: readonly string[], width: number, height: number): string[] {
  const rows: string[] = [];
  for (let i = lines.length - 1; i >= 0 && rows.length < height; i--) {
    const wrapped = wrap(lines[i]!, width);
    for (let j = wrapped.length - 1; j >= 0 && rows.length < height; j--) rows.unshift(wrapped[j]!);
  }
  while (rows.length < height) rows.unshift('');
  return rows;
}
