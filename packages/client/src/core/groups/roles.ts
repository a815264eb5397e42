import { isDimError } from '@dimkit/protocol';
import { encodeUtf8 } from '@dimkit/protocol/encoding';
import {
  bulletinAdministrators,
  bulletinAssistants,
  bulletinFounder,
  documentName,
  type Document,
  type ID,
  type Meta,
} from '@dimkit/protocol/mkm';

/**
 * Who may do what in a group (wire spec §3.6, §6.6): the owner (the founder, in current reference
 * versions) and the administrators change the member list; the assistants (group bots) only
 * split and relay messages.
 */
export interface GroupRoles {
  /** The owner's ID, when it is known and proven (see `isFounderMeta`). */
  readonly owner: string | undefined;
  readonly administrators: readonly string[];
  readonly assistants: readonly string[];
}

/** What a bulletin says, before anyone checked the founder against the group meta. */
export interface BulletinRoles {
  readonly name: string | undefined;
  readonly founder: string | undefined;
  readonly administrators: readonly string[];
  readonly assistants: readonly string[];
}

function ids(read: () => ID[]): string[] {
  try {
    return read().map((id) => id.text);
  } catch (error) {
    // A bulletin field that is not a list of IDs counts as absent: the rest of the bulletin stays usable.
    if (isDimError(error)) return [];
    throw error;
  }
}

/** The roles written in a group's bulletin (absent bulletin: none). Never throws on bad fields. */
export function bulletinRoles(bulletin: Document | undefined): BulletinRoles {
  if (bulletin === undefined) return { name: undefined, founder: undefined, administrators: [], assistants: [] };
  let founder: string | undefined;
  try {
    founder = bulletinFounder(bulletin)?.text;
  } catch (error) {
    if (!isDimError(error)) throw error;
  }
  return {
    name: documentName(bulletin),
    founder,
    administrators: ids(() => bulletinAdministrators(bulletin)),
    assistants: ids(() => bulletinAssistants(bulletin)),
  };
}

/**
 * True when `userMeta`'s key made the group: it verifies the group meta's fingerprint, the
 * signature of the group's seed that only the founder's key could write (wire spec §3.4). This is
 * what makes a bulletin's `founder` (or a sender claiming to be the owner) trustworthy.
 */
export function isFounderMeta(groupMeta: Meta, userMeta: Meta): boolean {
  if (groupMeta.seed === undefined || groupMeta.fingerprint === undefined) return false;
  return userMeta.key.verify(encodeUtf8(groupMeta.seed), groupMeta.fingerprint);
}
