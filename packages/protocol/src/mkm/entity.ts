/**
 * Entity types: what kind of thing an ID names (wire spec §3.3).
 * Bit 0 is the group flag, bit 7 the broadcast flag.
 */
export const EntityType = {
  USER: 0x00,
  GROUP: 0x01,
  STATION: 0x02,
  /** Internet service provider. */
  ISP: 0x03,
  BOT: 0x04,
  /** Internet content provider. */
  ICP: 0x05,
  SUPERVISOR: 0x06,
  COMPANY: 0x07,
  /** `…@anywhere` */
  ANY: 0x80,
  /** `…@everywhere` */
  EVERY: 0x81,
} as const;

/** One of the named `EntityType` values; unknown network bytes stay plain numbers. */
export type EntityTypeName = keyof typeof EntityType;

/**
 * Network bytes of MKM 0.9 addresses, still present in old IDs, and what the deployed apps read
 * them as (wire spec §3.3). Without this map 0x10 groups read as users and 0x88 stations as broadcasts.
 */
const LEGACY_NETWORKS: ReadonlyMap<number, number> = new Map([
  [0x08, EntityType.USER], // MAIN (person)
  [0x10, EntityType.GROUP], // GROUP / POLYLOGUE
  [0x30, 0x31], // CHATROOM: a group kind
  [0x88, EntityType.STATION],
  [0x76, EntityType.ISP], // PROVIDER
  [0xc8, EntityType.BOT],
]);

/**
 * The entity type an address network byte stands for, after the legacy mapping of wire spec §3.3
 * (0x08 → USER, 0x10 → GROUP, 0x30 → 0x31, 0x88 → STATION, 0x76 → ISP, 0xC8 → BOT; others unchanged).
 * Throws RangeError unless `network` is a byte.
 */
export function entityTypeFromNetwork(network: number): number {
  if (!Number.isInteger(network) || network < 0 || network > 0xff) {
    throw new RangeError(`network: expected a byte 0..255, got ${network}`);
  }
  return LEGACY_NETWORKS.get(network) ?? network;
}

/** User-like (bit 0 clear): users, stations, bots, `anywhere`. Apply to a mapped type. */
export function isUserType(type: number): boolean {
  return (type & 0x01) === 0;
}

/** Group-like (bit 0 set): groups, chatrooms, `everywhere`. Apply to a mapped type. */
export function isGroupType(type: number): boolean {
  return (type & 0x01) === 1;
}

/** Broadcast (bit 7 set): `anywhere` and `everywhere`. Apply to a mapped type. */
export function isBroadcastType(type: number): boolean {
  return (type & 0x80) !== 0;
}

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(EntityType).map(([name, value]) => [value, name.toLowerCase()]),
);

/** Lower-case display name of a known entity type (`'user'`, `'station'`, `'every'`…), else undefined. */
export function entityTypeName(type: number): string | undefined {
  return NAMES.get(type);
}
