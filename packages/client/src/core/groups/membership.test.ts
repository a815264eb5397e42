import {
  createExpelCommand,
  createGroupCommand,
  createInviteCommand,
  createJoinCommand,
  createQueryCommand,
  createQuitCommand,
  createResetCommand,
  createResignCommand,
  type GroupCommand,
} from '@dimkit/protocol/content';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyGroupCommand, type Membership, type MembershipOutcome } from './membership.js';
import type { GroupRoles } from './roles.js';

const G = 'Group-1024@4Ub2dEvH5wqPp4V1CnHEL1oZ3ZYxSzRUJ4';
const OWNER = 'owner';
const ADMIN = 'admin';
const BOB = 'bob';
const CAROL = 'carol';
const STRANGER = 'mallory';
const roles: GroupRoles = { owner: OWNER, administrators: [ADMIN], assistants: ['bot'] };
const state: Membership = { members: [OWNER, ADMIN, BOB], resetTime: 100 };

function code(outcome: MembershipOutcome): string {
  return outcome.kind === 'refused' ? outcome.code : outcome.kind;
}

describe('applyGroupCommand', () => {
  it("applies the owner's reset: the full list, added and removed", () => {
    const outcome = applyGroupCommand(state, roles, OWNER, createResetCommand(G, [OWNER, ADMIN, CAROL], { time: 200 }));
    expect(outcome).toEqual({
      kind: 'accepted',
      members: [OWNER, ADMIN, CAROL],
      added: [CAROL],
      removed: [BOB],
      resetTime: 200,
    });
  });

  it("applies an administrator's reset", () => {
    const outcome = applyGroupCommand(state, roles, ADMIN, createResetCommand(G, [OWNER, BOB], { time: 200 }));
    expect(outcome).toMatchObject({ kind: 'accepted', removed: [ADMIN] });
  });

  it("refuses a member's reset, invite and expel with group.permission", () => {
    for (const command of [
      createResetCommand(G, [OWNER, BOB, CAROL], { time: 200 }),
      createInviteCommand(G, [CAROL], { time: 200 }),
      createExpelCommand(G, [ADMIN], { time: 200 }),
    ]) {
      expect(code(applyGroupCommand(state, roles, BOB, command))).toBe('group.permission');
      expect(code(applyGroupCommand(state, roles, STRANGER, command))).toBe('group.permission');
    }
  });

  it('refuses a reset without the owner first, and an expel of the owner, with group.members', () => {
    const notFirst = createResetCommand(G, [BOB, OWNER], { time: 200 });
    expect(code(applyGroupCommand(state, roles, OWNER, notFirst))).toBe('group.members');
    const missing = createResetCommand(G, [ADMIN, BOB], { time: 200 });
    expect(code(applyGroupCommand(state, roles, ADMIN, missing))).toBe('group.members');
    expect(code(applyGroupCommand(state, roles, ADMIN, createExpelCommand(G, [OWNER], { time: 200 })))).toBe(
      'group.members',
    );
  });

  it('refuses a reset when the owner is not known (nothing proves who may change the group)', () => {
    const unknown: GroupRoles = { owner: undefined, administrators: [], assistants: [] };
    const outcome = applyGroupCommand(undefined, unknown, OWNER, createResetCommand(G, [OWNER, BOB], { time: 1 }));
    expect(code(outcome)).toBe('group.unknown');
  });

  it('ignores a reset that is not newer than the last one applied, and older invites', () => {
    expect(applyGroupCommand(state, roles, OWNER, createResetCommand(G, [OWNER], { time: 100 })).kind).toBe('ignored');
    expect(applyGroupCommand(state, roles, OWNER, createResetCommand(G, [OWNER], { time: 50 })).kind).toBe('ignored');
    expect(applyGroupCommand(state, roles, OWNER, createInviteCommand(G, [CAROL], { time: 99 })).kind).toBe('ignored');
    expect(applyGroupCommand(state, roles, OWNER, createInviteCommand(G, [CAROL], { time: 100 })).kind).toBe(
      'accepted',
    );
  });

  it('a first reset from the owner makes the member list', () => {
    const outcome = applyGroupCommand(undefined, roles, OWNER, createResetCommand(G, [OWNER, BOB], { time: 5 }));
    expect(outcome).toMatchObject({ kind: 'accepted', members: [OWNER, BOB], added: [OWNER, BOB], removed: [] });
  });

  it('invite adds only new members, after the known ones; expel removes only members', () => {
    expect(applyGroupCommand(state, roles, OWNER, createInviteCommand(G, [BOB, CAROL, CAROL], { time: 150 }))).toEqual({
      kind: 'accepted',
      members: [OWNER, ADMIN, BOB, CAROL],
      added: [CAROL],
      removed: [],
    });
    expect(applyGroupCommand(state, roles, OWNER, createInviteCommand(G, [BOB], { time: 150 })).kind).toBe('ignored');
    expect(applyGroupCommand(state, roles, ADMIN, createExpelCommand(G, [BOB, STRANGER], { time: 150 }))).toMatchObject(
      { kind: 'accepted', members: [OWNER, ADMIN], removed: [BOB] },
    );
    expect(applyGroupCommand(state, roles, ADMIN, createExpelCommand(G, [STRANGER], { time: 150 })).kind).toBe(
      'ignored',
    );
  });

  it('quit removes its sender only; the owner and administrators may not quit', () => {
    expect(applyGroupCommand(state, roles, BOB, createQuitCommand(G, { time: 150 }))).toMatchObject({
      kind: 'accepted',
      members: [OWNER, ADMIN],
      removed: [BOB],
    });
    expect(code(applyGroupCommand(state, roles, OWNER, createQuitCommand(G, { time: 150 })))).toBe('group.permission');
    expect(code(applyGroupCommand(state, roles, ADMIN, createQuitCommand(G, { time: 150 })))).toBe('group.permission');
    expect(applyGroupCommand(state, roles, STRANGER, createQuitCommand(G, { time: 150 })).kind).toBe('ignored');
    expect(applyGroupCommand(state, roles, BOB, createQuitCommand(G, { time: 10 })).kind).toBe('ignored');
  });

  it('join and resign are requests; query, hire and unknown names change nothing', () => {
    expect(applyGroupCommand(state, roles, STRANGER, createJoinCommand(G, { time: 150 })).kind).toBe('request');
    expect(applyGroupCommand(state, roles, BOB, createJoinCommand(G, { time: 150 })).kind).toBe('ignored');
    expect(applyGroupCommand(state, roles, ADMIN, createResignCommand(G, { time: 150 })).kind).toBe('request');
    expect(applyGroupCommand(state, roles, BOB, createResignCommand(G, { time: 150 })).kind).toBe('ignored');
    expect(applyGroupCommand(state, roles, BOB, createQueryCommand(G, 1, { time: 150 })).kind).toBe('ignored');
    const hire = createGroupCommand('hire', G, { administrators: [BOB] }, { time: 150 });
    expect(applyGroupCommand(state, roles, OWNER, hire).kind).toBe('ignored');
  });

  it('a command without members is refused', () => {
    const bare = { ...createInviteCommand(G, [BOB], { time: 150 }), members: [] } as GroupCommand;
    expect(code(applyGroupCommand(state, roles, OWNER, bare))).toBe('group.members');
  });

  it('whatever the command and sender, only the owner or an administrator ever adds or removes someone else', () => {
    const people = [OWNER, ADMIN, BOB, CAROL, STRANGER];
    const command = fc.record({
      name: fc.constantFrom('reset', 'invite', 'expel', 'quit', 'join', 'resign', 'query'),
      members: fc.array(fc.constantFrom(...people), { maxLength: 6 }),
      time: fc.integer({ min: 0, max: 300 }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...people), command, (sender, c) => {
        const built = createGroupCommand(c.name, G, c.members.length > 0 ? { members: c.members } : {}, {
          time: c.time,
        });
        const outcome = applyGroupCommand(state, roles, sender, built);
        if (outcome.kind !== 'accepted') return;
        const changedOthers = [...outcome.added, ...outcome.removed].some((id) => id !== sender);
        if (changedOthers) expect([OWNER, ADMIN]).toContain(sender);
        expect(outcome.members[0]).toBe(OWNER);
        expect(new Set(outcome.members).size).toBe(outcome.members.length);
      }),
    );
  });
});
