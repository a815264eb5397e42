import type { Content } from '@dimkit/protocol/content';
import type { MessageState } from '@dimkit/client/core';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const shortDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

/** `14:05` for a DIMP time (seconds). */
export function clock(seconds: number): string {
  return timeFormat.format(new Date(seconds * 1000));
}

/** The local calendar day of a DIMP time, as a comparable key. */
export function dayKey(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Today", "Yesterday", or the full date: the text of a day separator. */
export function dayLabel(seconds: number, now = Date.now()): string {
  const key = dayKey(seconds);
  if (key === dayKey(now / 1000)) return 'Today';
  if (key === dayKey(now / 1000 - 86_400)) return 'Yesterday';
  return dateFormat.format(new Date(seconds * 1000));
}

/** The time shown in the conversation list: a clock today, else a short date. */
export function listTime(seconds: number, now = Date.now()): string {
  if (seconds <= 0) return '';
  return dayKey(seconds) === dayKey(now / 1000) ? clock(seconds) : shortDate.format(new Date(seconds * 1000));
}

/** One line describing a message's content, for the conversation list and notifications. */
export function preview(content: Content): string {
  const c = content as Content & Record<string, unknown>;
  const type = Number(c.type);
  if (typeof c['text'] === 'string' && (type === 0x01 || type === 0x37)) return c['text'];
  if (type === 0x12) return 'Photo';
  if (type === 0x10) return `File: ${typeof c['filename'] === 'string' ? c['filename'] : 'unnamed'}`;
  if (type === 0x14) return 'Voice message';
  if (type === 0x16) return 'Video';
  if (typeof c['command'] === 'string') return groupCommandText(c, (id) => id) ?? `(${c['command']})`;
  return '(unsupported message)';
}

export interface StateMark {
  readonly glyph: string;
  readonly label: string;
  readonly tone: 'muted' | 'ok' | 'read' | 'error';
}

/** The mark beside an outgoing message (pending/sent/cached/delivered/read/failed). */
export function stateMark(state: MessageState): StateMark {
  switch (state) {
    case 'pending':
      return { glyph: '', label: 'Sending', tone: 'muted' };
    case 'sent':
      return { glyph: '✓', label: 'Sent to the station', tone: 'muted' };
    case 'cached':
      return { glyph: '✓', label: 'Waiting at the station until the receiver comes online', tone: 'muted' };
    case 'delivered':
      return { glyph: '✓✓', label: 'Delivered', tone: 'ok' };
    case 'read':
      return { glyph: '✓✓', label: 'Read', tone: 'read' };
    case 'failed':
      return { glyph: '!', label: 'Not sent', tone: 'error' };
  }
}

/** Bytes as `1.2 MB`. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Two letters for an avatar placeholder. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = [...words[0]!][0] ?? '?';
  const second = words.length > 1 ? ([...words[words.length - 1]!][0] ?? '') : '';
  return (first + second).toUpperCase();
}

/** A stable hue for an ID, for avatar placeholders. */
export function hue(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}

/**
 * A group command (wire spec §6.6) as a line for the conversation, naming people with `name`; undefined for
 * commands that are not shown (queries).
 */
export function groupCommandText(content: Record<string, unknown>, name: (id: string) => string): string | undefined {
  const list = (key: string) =>
    (Array.isArray(content[key]) ? (content[key] as unknown[]) : []).filter((m): m is string => typeof m === 'string');
  const names = (key: string) => list(key).map(name).join(', ');
  switch (content['command']) {
    case 'reset':
      return `Members: ${names('members')}`;
    case 'invite':
      return `Invited ${names('members')}`;
    case 'expel':
      return `Removed ${names('members')}`;
    case 'quit':
      return 'Left the group';
    case 'join':
      return 'Asked to join';
    case 'resign':
      return 'Resigned as administrator';
    default:
      return undefined;
  }
}
