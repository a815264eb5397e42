import type { JsonObject } from '../encoding/json.js';
import { hasOwn, own, renameField, withField } from './_fields.js';

/**
 * Report command (wire spec §6.5, §7 item 7): current form `command: "report"`, `title: "online"
 * | "offline"`. Legacy: `state: "foreground" | "background"` (oldest), or the state as the command
 * name itself (`command: "online"`, v1.0).
 */
const STATE_TITLES: Readonly<Record<string, string>> = { foreground: 'online', background: 'offline' };

function titleFromState(json: JsonObject): string | undefined {
  const state = own(json, 'state');
  return typeof state === 'string' && Object.prototype.hasOwnProperty.call(STATE_TITLES, state)
    ? STATE_TITLES[state]
    : undefined;
}

/**
 * Incoming: `command: "online"|"offline"` → `command: "report"` + `title`; `state` → `title`
 * (the `state` field is replaced by `title` when there was no title; otherwise left as it came).
 */
export function reportFromWire(json: JsonObject): JsonObject {
  let out = json;
  const name = own(out, 'command');
  if ((name === 'online' || name === 'offline') && !hasOwn(out, 'title')) {
    out = withField(withField(out, 'command', 'report'), 'title', name);
  }
  const title = titleFromState(out);
  if (title !== undefined && !hasOwn(out, 'title')) out = renameField(out, 'state', 'title', title);
  return out;
}

/** Outgoing: a report always carries `title` (from a legacy `state` if that is all it has). */
export function reportToWire(json: JsonObject): JsonObject {
  if (hasOwn(json, 'title')) return json;
  const title = titleFromState(json);
  return title === undefined ? json : withField(json, 'title', title);
}
