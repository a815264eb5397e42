import { parseId, withoutTerminal, type ID } from '@dimkit/protocol/mkm';

/** Where a message goes, by its receiver (station spec §3 step 4). */
export type Destination =
  /** This station's ID, `station@anywhere` or `anyone@anywhere`: processed here. */
  | { readonly kind: 'station' }
  /**
   * `everyone@everywhere` or `stations@everywhere`: processed here; the reference also forwards to neighbour
   * stations (federation comes later), and never stores or delivers broadcasts to users.
   */
  | { readonly kind: 'broadcast' }
  /** A user, bot or other station: delivered to its sessions, or kept in its inbox. `key` has no terminal. */
  | { readonly kind: 'deliver'; readonly id: ID; readonly key: string }
  /** A group ID or another `…@everywhere`: stations never split group messages. */
  | { readonly kind: 'group' }
  /** `name@anywhere` with no ANS record. */
  | { readonly kind: 'unknown'; readonly name: string };

const STATION_NAMES = new Set(['station', 'anyone']);
const BROADCAST_GROUPS = new Set(['everyone', 'stations']);

/**
 * Classifies `receiver`. `name@anywhere` names other than `station`/`anyone` are service bots resolved
 * through the ANS records (station spec §3 table, §5.3 `[ans]`); a record naming this station counts as the
 * station itself.
 */
export function destinationOf(receiver: ID, station: ID, ans: Readonly<Record<string, string>>): Destination {
  if (receiver.isBroadcast) {
    const name = receiver.name ?? '';
    if (receiver.isGroup) return BROADCAST_GROUPS.has(name) ? { kind: 'broadcast' } : { kind: 'group' };
    if (STATION_NAMES.has(name)) return { kind: 'station' };
    const record = Object.prototype.hasOwnProperty.call(ans, name) ? ans[name] : undefined;
    if (record === undefined) return { kind: 'unknown', name };
    const bot = parseId(record);
    if (bot.text === station.text) return { kind: 'station' };
    return { kind: 'deliver', id: bot, key: withoutTerminal(bot).text };
  }
  if (receiver.text === station.text) return { kind: 'station' };
  if (receiver.isGroup) return { kind: 'group' };
  return { kind: 'deliver', id: receiver, key: withoutTerminal(receiver).text };
}
