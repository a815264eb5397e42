import { createGroup, createIdentity } from '@dimkit/protocol/account';
import { signDocument } from '@dimkit/protocol/mkm';
import { describe, expect, it } from 'vitest';
import { bulletinRoles, isFounderMeta } from './roles.js';

const founder = createIdentity({ name: 'founder' });
const other = createIdentity({ name: 'other' });
const mkmFounder = createIdentity({ kind: 'mkm', name: 'old' });

describe('group roles', () => {
  it("only the founder's meta key verifies the group meta's fingerprint (ETH and MKM founders)", () => {
    for (const user of [founder, mkmFounder]) {
      const group = createGroup(user, { name: 'g' });
      expect(isFounderMeta(group.meta, user.meta)).toBe(true);
      expect(isFounderMeta(group.meta, other.meta)).toBe(false);
    }
  });

  it('a user meta (no seed) proves nothing', () => {
    expect(isFounderMeta(founder.meta, founder.meta)).toBe(false);
  });

  it('reads name, founder, administrators and assistants from the bulletin', () => {
    const group = createGroup(founder, { name: 'g' });
    const bulletin = signDocument(
      {
        did: group.id,
        properties: {
          name: 'friends',
          founder: founder.id.text,
          administrators: [other.id.text],
          assistant: mkmFounder.id.text, // legacy single field, used when `assistants` is absent
        },
      },
      founder.privateKey,
    );
    expect(bulletinRoles(bulletin)).toEqual({
      name: 'friends',
      founder: founder.id.text,
      administrators: [other.id.text],
      assistants: [mkmFounder.id.text],
    });
    expect(bulletinRoles(undefined)).toEqual({
      name: undefined,
      founder: undefined,
      administrators: [],
      assistants: [],
    });
  });

  it('a bulletin field that is not a list of IDs counts as absent, the rest stays', () => {
    const group = createGroup(founder, { name: 'g' });
    const bulletin = signDocument(
      { did: group.id, properties: { founder: 'not an id', administrators: 'x', assistants: [other.id.text] } },
      founder.privateKey,
    );
    expect(bulletinRoles(bulletin)).toMatchObject({
      founder: undefined,
      administrators: [],
      assistants: [other.id.text],
    });
  });
});
