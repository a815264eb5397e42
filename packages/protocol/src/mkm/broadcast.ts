import { ANYWHERE } from './address.js';
import { buildId } from './_id.js';
import { type ID, parseId } from './id.js';

/** `anyone@anywhere`: "any user"; messages to it are not encrypted (wire spec §3.5, §4.6). */
export const ANYONE: ID = parseId('anyone@anywhere');
/** `everyone@everywhere`: the whole network. */
export const EVERYONE: ID = parseId('everyone@everywhere');
/** `moky@anywhere`: the "founder" constant, founder of `everyone@everywhere`. */
export const FOUNDER: ID = parseId('moky@anywhere');
/** `station@anywhere`: whichever station this connection talks to (handshake, meta/document queries). */
export const ANY_STATION: ID = parseId('station@anywhere');
/** `stations@everywhere`: all stations. */
export const EVERY_STATIONS: ID = parseId('stations@everywhere');

function requireBroadcastGroup(group: ID): void {
  if (!group.isBroadcast || !group.isGroup) {
    throw new RangeError(`group: expected a broadcast group ID (…@everywhere), got "${group.text}"`);
  }
}

function networkWide(group: ID): boolean {
  return group.name === 'everyone';
}

/** `<name>@anywhere`; built directly because a long group name may push it past the 64-char parse limit. */
function anywhere(name: string): ID {
  return buildId(`${name}@${ANYWHERE.text}`, name, ANYWHERE, undefined);
}

/**
 * Founder of a broadcast group (wire spec §3.5): `moky@anywhere` for `everyone@everywhere`,
 * else `<name>.founder@anywhere`. Throws RangeError if `group` is not a broadcast group.
 */
export function broadcastFounder(group: ID): ID {
  requireBroadcastGroup(group);
  return networkWide(group) ? FOUNDER : anywhere(`${group.name}.founder`);
}

/** Owner of a broadcast group: `anyone@anywhere` for `everyone@everywhere`, else `<name>.owner@anywhere`. */
export function broadcastOwner(group: ID): ID {
  requireBroadcastGroup(group);
  return networkWide(group) ? ANYONE : anywhere(`${group.name}.owner`);
}

/**
 * Members of a broadcast group: `[anyone@anywhere]` for `everyone@everywhere`, else
 * `[<name>.owner@anywhere, <name>.member@anywhere]`.
 */
export function broadcastMembers(group: ID): readonly ID[] {
  requireBroadcastGroup(group);
  if (networkWide(group)) return [ANYONE];
  return [anywhere(`${group.name}.owner`), anywhere(`${group.name}.member`)];
}
