import { describe, expect, it } from 'vitest';
import { createTextContent } from '@dimkit/protocol/content';
import { bytes, dayKey, dayLabel, groupCommandText, initials, listTime, preview, stateMark } from './format.js';
import { rasterType, thumbnailSrc } from './media.js';

const NOON = new Date(2026, 10, 24, 12, 0, 0).getTime();

describe('web formatting', () => {
  it('labels days as Today, Yesterday, then the date', () => {
    expect(dayLabel(NOON / 1000 - 3600, NOON)).toBe('Today');
    expect(dayLabel(NOON / 1000 - 86_400, NOON)).toBe('Yesterday');
    const older = dayLabel(NOON / 1000 - 3 * 86_400, NOON);
    expect(older).toContain('2026');
    expect(dayKey(NOON / 1000)).not.toBe(dayKey(NOON / 1000 - 86_400));
  });

  it('shows a clock for today and a short date before, nothing for no time', () => {
    expect(listTime(NOON / 1000, NOON)).toMatch(/\d/);
    expect(listTime(NOON / 1000 - 5 * 86_400, NOON)).not.toBe(listTime(NOON / 1000, NOON));
    expect(listTime(0, NOON)).toBe('');
  });

  it('previews contents in one line', () => {
    expect(preview(createTextContent('hello'))).toBe('hello');
    expect(preview({ type: 0x12, sn: 1 } as never)).toBe('Photo');
    expect(preview({ type: 0x10, sn: 1, filename: 'a.pdf' } as never)).toBe('File: a.pdf');
    expect(preview({ type: 0x88, sn: 1, command: 'reset', members: ['a', 'b'] } as never)).toBe('Members: a, b');
    expect(preview({ type: 0x88, sn: 1, command: 'mystery' } as never)).toBe('(mystery)');
    expect(preview({ type: 0x99, sn: 1 } as never)).toBe('(unsupported message)');
  });

  it('describes group commands with names, and hides queries', () => {
    const name = (id: string) => id.toUpperCase();
    expect(groupCommandText({ command: 'invite', members: ['bob', 7, 'carol'] }, name)).toBe('Invited BOB, CAROL');
    expect(groupCommandText({ command: 'expel', members: ['bob'] }, name)).toBe('Removed BOB');
    expect(groupCommandText({ command: 'quit' }, name)).toBe('Left the group');
    expect(groupCommandText({ command: 'query' }, name)).toBeUndefined();
  });

  it('marks every outgoing state with a label', () => {
    for (const state of ['pending', 'sent', 'cached', 'delivered', 'read', 'failed'] as const) {
      expect(stateMark(state).label.length).toBeGreaterThan(0);
    }
    expect(stateMark('read').tone).toBe('read');
    expect(stateMark('failed').tone).toBe('error');
  });

  it('formats sizes and initials', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(2048)).toBe('2.0 KB');
    expect(bytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(initials('Alice Liddell')).toBe('AL');
    expect(initials('bob')).toBe('B');
    expect(initials('  ')).toBe('?');
  });
});

describe('pictures', () => {
  it('shows only raster types inline (never SVG or HTML)', () => {
    expect(rasterType('a.JPG')).toBe('image/jpeg');
    expect(rasterType('a.png')).toBe('image/png');
    expect(rasterType('a.svg')).toBeUndefined();
    expect(rasterType('a.html')).toBeUndefined();
    expect(rasterType('noext')).toBeUndefined();
    expect(rasterType(undefined)).toBeUndefined();
  });

  it('accepts only raster data URLs as thumbnails', () => {
    expect(thumbnailSrc('data:image/jpeg;base64,/9j/4AAQ')).toBe('data:image/jpeg;base64,/9j/4AAQ');
    expect(thumbnailSrc('data:image/svg+xml;base64,PHN2Zz4=')).toBeUndefined();
    expect(thumbnailSrc('javascript:alert(1)')).toBeUndefined();
    expect(thumbnailSrc('https://example.org/a.jpg')).toBeUndefined();
    expect(thumbnailSrc({ URL: 'x' })).toBeUndefined();
  });
});
