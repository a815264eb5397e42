import type { DimErrorCode } from '@dimkit/protocol';
import { GROUP_MAX_MEMBERS } from '@dimkit/protocol/account';
import { CommandName, type GroupCommand } from '@dimkit/protocol/content';
import type { GroupRoles } from './roles.js';

/** A group's member list as one member knows it. */
export interface Membership {
  /** Owner first (wire spec §6.6 `reset`). */
  readonly members: readonly string[];
  /** The content `time` of the newest `reset` applied (seconds): older commands are stale. */
  readonly resetTime?: number;
}

/**
 * What a received group command does to a membership:
 * - `accepted`: the new list (which may equal the old one: a newer `reset` with the same members);
 * - `request`: nothing changes, but the owner or an administrator should decide (`join`, `resign`);
 * - `ignored`: nothing to do (stale, already so, not about membership);
 * - `refused`: the sender may not do this, or the command breaks the rules.
 */
export type MembershipOutcome =
  | {
      readonly kind: 'accepted';
      readonly members: readonly string[];
      readonly added: readonly string[];
      readonly removed: readonly string[];
      readonly resetTime?: number;
    }
  | { readonly kind: 'request'; readonly reason: string }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'refused'; readonly code: DimErrorCode; readonly reason: string };

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}

function refused(code: DimErrorCode, reason: string): MembershipOutcome {
  return { kind: 'refused', code, reason };
}

function accepted(before: readonly string[], after: readonly string[], resetTime?: number): MembershipOutcome {
  const old = new Set(before);
  const now = new Set(after);
  return {
    kind: 'accepted',
    members: after,
    added: after.filter((id) => !old.has(id)),
    removed: before.filter((id) => !now.has(id)),
    ...(resetTime === undefined ? {} : { resetTime }),
  };
}

/**
 * Applies a group command from `sender` (the verified signer of the command's message) to
 * `state` (undefined: no member list known yet), with the reference's rules (wire spec §6.6,
 * dimpart/group-py README "Permissions"), made strict as issue 4 asks:
 *
 * - `reset` (full list, owner first), `invite`, `expel`: only the owner or an administrator;
 *   the owner can be neither left out nor expelled;
 * - `quit`: removes its sender (so a member can only quit itself); the owner and the
 *   administrators may not quit (they must resign first);
 * - `join` and `resign`: requests for the owner/administrators, no change here;
 * - commands older than the newest `reset` applied are stale, and so is a `reset` not newer.
 *
 * Pure: no I/O; `roles.owner` must already be proven (see `isFounderMeta`).
 */
export function applyGroupCommand(
  state: Membership | undefined,
  roles: GroupRoles,
  sender: string,
  command: GroupCommand,
): MembershipOutcome {
  const name = command.command;
  const time = command.time;
  const members = state?.members ?? [];
  const owner = roles.owner;
  const isAdmin = roles.administrators.includes(sender);
  const mayChange = (owner !== undefined && sender === owner) || isAdmin;
  const stale = (strict: boolean) =>
    state?.resetTime !== undefined && (strict ? time <= state.resetTime : time < state.resetTime);
  const listed = unique(command.members ?? []);
  if (listed.length > GROUP_MAX_MEMBERS) {
    return refused('group.members', `${name} lists ${listed.length} members (at most ${GROUP_MAX_MEMBERS})`);
  }

  switch (name) {
    case CommandName.RESET:
    case CommandName.INVITE:
    case CommandName.EXPEL: {
      if (owner === undefined && !isAdmin) {
        return refused('group.unknown', `the owner of ${command.group} is not known: cannot check a ${name}`);
      }
      if (!mayChange) {
        return refused('group.permission', `${sender} is neither the owner nor an administrator: ${name} refused`);
      }
      if (listed.length === 0) return refused('group.members', `${name} without members`);
      if (name === CommandName.RESET) {
        // owner is known here: an administrator's reset needs it too, to keep the owner first.
        if (owner === undefined) return refused('group.unknown', `the owner of ${command.group} is not known`);
        if (listed[0] !== owner) return refused('group.members', `reset must list the owner ${owner} first`);
        if (stale(true)) return { kind: 'ignored', reason: 'a newer reset was applied' };
        return accepted(members, listed, time);
      }
      if (stale(false)) return { kind: 'ignored', reason: `${name} older than the last reset` };
      if (name === CommandName.INVITE) {
        const base = members.length > 0 ? members : owner === undefined ? [] : [owner];
        const added = listed.filter((id) => !base.includes(id));
        if (added.length === 0 && base.length === members.length) return { kind: 'ignored', reason: 'already members' };
        return accepted(members, [...base, ...added]);
      }
      if (owner !== undefined && listed.includes(owner)) {
        return refused('group.members', `the owner ${owner} cannot be expelled`);
      }
      const after = members.filter((id) => !listed.includes(id));
      if (after.length === members.length) return { kind: 'ignored', reason: 'not members' };
      return accepted(members, after);
    }
    case CommandName.QUIT: {
      if (owner !== undefined && sender === owner) return refused('group.permission', 'the owner cannot quit');
      if (isAdmin) return refused('group.permission', `administrator ${sender} must resign before quitting`);
      if (stale(false)) return { kind: 'ignored', reason: 'quit older than the last reset' };
      if (!members.includes(sender)) return { kind: 'ignored', reason: `${sender} is not a member` };
      return accepted(
        members,
        members.filter((id) => id !== sender),
      );
    }
    case CommandName.JOIN:
      if (members.includes(sender)) return { kind: 'ignored', reason: `${sender} is already a member` };
      return { kind: 'request', reason: `${sender} asks to join` };
    case CommandName.RESIGN:
      if (!isAdmin) return { kind: 'ignored', reason: `${sender} is not an administrator` };
      return { kind: 'request', reason: `administrator ${sender} resigns (the owner updates the bulletin)` };
    default:
      // query is answered elsewhere; hire/fire are gone from the reference (administrators live in the
      // bulletin); found/abdicate were never used (wire spec §6.6).
      return { kind: 'ignored', reason: `${name} does not change the member list` };
  }
}
