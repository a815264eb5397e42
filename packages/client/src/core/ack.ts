/**
 * The WebSocket delivery acknowledgement of the reference web and Flutter clients (station spec
 * §1.7): for every received payload that starts with `{` and holds a `signature` and a `time`,
 * send back `ACK:{"time":<time>,"signature":"<signature>"}`. Both values come from the reference's
 * naive scan, not from a JSON parser, because that is what stations match: the first occurrence of
 * the tag anywhere (a nested visa may win), then to the next `:`, up to the next `,` (else `}`),
 * with spaces and quotes stripped from both ends.
 */

function strip(value: string): string {
  let start = 0;
  let end = value.length;
  const junk = (c: string | undefined) => c === ' ' || c === '"' || c === "'";
  // The reference strips spaces, then double quotes, then single quotes; stripping them in any
  // order until none is left gives the same result for every value a station can send.
  while (start < end && junk(value[start])) start++;
  while (end > start && junk(value[end - 1])) end--;
  return value.slice(start, end);
}

/** The naive scan's value of `tag` in `text`, or undefined when the tag or its end is missing. */
export function naiveValue(text: string, tag: string): string | undefined {
  let pos = text.indexOf(tag);
  if (pos < 0) return undefined;
  pos = text.indexOf(':', pos + tag.length);
  if (pos < 0) return undefined;
  pos += 1;
  let end = text.indexOf(',', pos);
  if (end < 0) end = text.indexOf('}', pos);
  if (end < 0) return undefined;
  return strip(text.slice(pos, end));
}

/**
 * The `ACK:` frame for a received payload, or undefined when the reference would send none. The
 * values are pasted in as scanned, byte for byte what reference clients send (so a scanned value
 * that kept a `"}` makes the frame invalid JSON there too; stations read ACKs with the same scan).
 */
export function wsAckFrame(payload: string): string | undefined {
  if (!payload.startsWith('{')) return undefined;
  const signature = naiveValue(payload, 'signature');
  const time = naiveValue(payload, 'time');
  if (signature === undefined || time === undefined || signature === '' || time === '') return undefined;
  return `ACK:{"time":${time},"signature":"${signature}"}`;
}
