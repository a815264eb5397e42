import type { JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { hasOwn, jsonEqual, renameField, withoutField } from './_fields.js';

/**
 * Group command members (wire spec §6.6, §8): 2018 commands carry one `member`; current ones a
 * `members` array (readers fall back to `member`). Canonical: `members`.
 * Incoming only: dimkit never writes `member`.
 * Throws DimError('command.format') when both are present and `member` is not in `members`.
 */
export function groupMembersFromWire(json: JsonObject): JsonObject {
  if (!hasOwn(json, 'member')) return json;
  const member = json['member']!;
  if (!hasOwn(json, 'members')) return renameField(json, 'member', 'members', [member]);
  const members = json['members'];
  if (Array.isArray(members) && members.some((m) => jsonEqual(m, member))) return withoutField(json, 'member');
  throw new DimError('command.format', 'group command: `member` is not one of `members`');
}
