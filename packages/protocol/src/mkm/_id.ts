import type { Address } from './address.js';
import { EntityType, isBroadcastType, isGroupType, isUserType } from './entity.js';
import type { ID } from './id.js';

/** Assembles an ID from parts already validated (no length rule: derived broadcast IDs may exceed it). */
export function buildId(text: string, name: string | undefined, address: Address, terminal: string | undefined): ID {
  const type = name === undefined ? EntityType.USER : address.type;
  return Object.freeze({
    text,
    name,
    address,
    terminal,
    type,
    isUser: isUserType(type),
    isGroup: isGroupType(type),
    // Broadcast is a property of the address (`anywhere`, `everywhere`), named or not.
    isBroadcast: isBroadcastType(address.type),
  });
}
