import type { JsonObject, JsonValue } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { hasOwn, renameField, withField, withoutField } from './_fields.js';

/**
 * Meta `type` (wire spec §3.4, §7 item 9, §8): old metas call it `version` (MKM 0.9), the 2025
 * libraries write it as a string ("1", "mkm", "eth"...), deployed apps write `type` and `version`
 * both as integers. dimkit's canonical meta has one integer `type`.
 */
const META_TYPE_ALIASES: Readonly<Record<string, number>> = {
  mkm: 1,
  MKM: 1,
  btc: 2,
  BTC: 2,
  ExBTC: 3,
  eth: 4,
  ETH: 4,
  ExETH: 5,
};

/** The integer meta type of an integer, a decimal string or an alias of §3.4; `undefined` otherwise. */
export function metaTypeFromWire(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 0xff ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (/^[0-9]{1,3}$/.test(value)) {
    const n = Number(value);
    return n <= 0xff ? n : undefined;
  }
  return Object.prototype.hasOwnProperty.call(META_TYPE_ALIASES, value) ? META_TYPE_ALIASES[value] : undefined;
}

function typeOf(json: JsonObject, field: string): number {
  const type = metaTypeFromWire(json[field]);
  if (type === undefined) {
    throw new DimError(
      'meta.type',
      `meta \`${field}\`: expected 1, 2, 4 (or "mkm", "btc", "eth"), got ${describe(json[field])}`,
    );
  }
  return type;
}

function describe(value: JsonValue | undefined): string {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Incoming meta: `version` → `type`, string types → integers. When both `type` and `version` are
 * present they must name the same version. A meta with neither is returned unchanged (the MKM
 * parser reports it). Pure JSON; no key or signature is checked here.
 * Throws DimError('meta.type') on an unknown or conflicting type.
 */
export function metaFromWire(json: JsonObject): JsonObject {
  const hasType = hasOwn(json, 'type');
  const hasVersion = hasOwn(json, 'version');
  if (!hasType && !hasVersion) return json;
  if (!hasType) return renameField(json, 'version', 'type', typeOf(json, 'version'));
  const type = typeOf(json, 'type');
  if (hasVersion && typeOf(json, 'version') !== type) {
    throw new DimError(
      'meta.type',
      `meta \`type\` ${describe(json['type'])} and \`version\` ${describe(json['version'])} differ`,
    );
  }
  return withField(withoutField(json, 'version'), 'type', type);
}

/**
 * Outgoing meta (§7 item 9, §3.4): `type` and `version` both set to the integer version, `version`
 * placed right after `type` (the order of the §10.4 examples). A meta without any type is
 * returned unchanged. Throws DimError('meta.type') on an unknown type.
 */
export function metaToWire(json: JsonObject): JsonObject {
  const canonical = metaFromWire(json);
  if (!hasOwn(canonical, 'type')) return canonical;
  const type = canonical['type']!;
  const entries: [string, JsonValue][] = [];
  for (const [k, v] of Object.entries(canonical)) {
    entries.push([k, v]);
    if (k === 'type') entries.push(['version', type]);
  }
  return Object.fromEntries(entries);
}
