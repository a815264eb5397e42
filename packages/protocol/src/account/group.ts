import { jsBackend } from '../crypto/index.js';
import type { CryptoBackend } from '../crypto/types.js';
import { isJsonObject, type JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import {
  EntityType,
  MetaType,
  bulletinFounder,
  checkMeta,
  documentToDict,
  generateMeta,
  idFromMeta,
  metaToDict,
  parseDocument,
  parseId,
  parseMeta,
  signDocument,
  verifyDocument,
  type Document,
  type ID,
  type Meta,
} from '../mkm/index.js';
import type { Identity } from './identity.js';

/** A group as `dim` stores it: `{id, meta, bulletin, founder, members}` (the vectors' group file). */
export interface Group {
  readonly id: ID;
  readonly meta: Meta;
  readonly bulletin: Document;
  readonly founder: ID;
  /** Owner first (wire spec §6.6 `reset`). Not part of any signed document. */
  readonly members: readonly ID[];
}

/** Most members a group file may list. */
export const GROUP_MAX_MEMBERS = 4096;

function randomGroupNumber(backend: CryptoBackend): number {
  const bytes = backend.randomBytes(4);
  const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  return 10_000 + (value % (999_999_999 - 10_000));
}

/**
 * Reads a group file: the meta must match the group ID, the bulletin must belong to the group and
 * verify with the group meta key. Throws DimError ('meta.*', 'document.*', 'id.*').
 */
export function parseGroup(input: unknown, backend: CryptoBackend = jsBackend): Group {
  if (!isJsonObject(input)) throw new DimError('meta.invalid', 'group file: expected a JSON object');
  const id = parseId(input['id']);
  if (!id.isGroup) throw new DimError('id.syntax', `group file: ${id.text} is not a group ID`);
  const meta = parseMeta(input['meta'], backend);
  checkMeta(meta, id);
  const bulletin = parseDocument(input['bulletin']);
  if (bulletin.did.text !== id.text)
    throw new DimError('document.mismatch', `group file: bulletin of ${bulletin.did.text}`);
  if (!verifyDocument(bulletin, meta)) throw new DimError('document.signature', 'group file: bulletin does not verify');
  const founderText = input['founder'] ?? bulletinFounder(bulletin)?.text;
  const founder = parseId(founderText);
  const membersJson = input['members'] ?? [];
  if (!Array.isArray(membersJson) || membersJson.length > GROUP_MAX_MEMBERS) {
    throw new DimError('meta.invalid', `group file: members must be an array of at most ${GROUP_MAX_MEMBERS} IDs`);
  }
  const members = membersJson.map((member) => parseId(member));
  return Object.freeze({ id, meta, bulletin, founder, members: Object.freeze(members) });
}

export function groupToJson(group: Group): JsonObject {
  return {
    id: group.id.text,
    meta: metaToDict(group.meta),
    bulletin: documentToDict(group.bulletin),
    founder: group.founder.text,
    members: group.members.map((member) => member.text),
  };
}

/**
 * Creates a group as reference apps do (wire spec §3.4): an MKM meta with seed
 * `Group-<random>` signed by the founder's identity key, network 0x01, and a bulletin naming the
 * founder, signed by the same key. `members` are added after the founder (owner first).
 */
export function createGroup(
  founder: Identity,
  options: { readonly name: string; readonly members?: readonly ID[]; readonly backend?: CryptoBackend },
): Group {
  const backend = options.backend ?? jsBackend;
  const meta = generateMeta(MetaType.MKM, founder.privateKey, `Group-${randomGroupNumber(backend)}`);
  const id = idFromMeta(meta, EntityType.GROUP);
  const bulletin = signDocument(
    { did: id, properties: { name: options.name, founder: founder.id.text } },
    founder.privateKey,
  );
  const others = (options.members ?? []).filter((member) => member.text !== founder.id.text);
  return Object.freeze({ id, meta, bulletin, founder: founder.id, members: Object.freeze([founder.id, ...others]) });
}

/** A parsed document's owner must be this group and it must verify with the group meta. */
export function isValidBulletin(group: Pick<Group, 'id' | 'meta'>, doc: Document): boolean {
  return doc.did.text === group.id.text && verifyDocument(doc, group.meta);
}
