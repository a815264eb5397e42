import { parseId } from '../mkm/index.js';

/**
 * The other end of a key direction (wire spec §4.7): the symmetric key of a message is chosen
 * and cached per (sender, destination).
 */
export function destinationFor(receiver: string, group?: string): string {
  if (group === undefined) return receiver; // a group receiver is its own destination
  if (parseId(group).isBroadcast) return group;
  if (parseId(receiver).isBroadcast) return receiver;
  return group;
}

/** A message is broadcast (unencrypted, §4.6) if its receiver or its exposed group is a broadcast ID. */
export function isBroadcastMessage(receiver: string, group?: string): boolean {
  return parseId(receiver).isBroadcast || (group !== undefined && parseId(group).isBroadcast);
}
