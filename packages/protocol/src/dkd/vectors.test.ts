import { describe, expect, it } from 'vitest';
import { readVector, vectorMessages, type VectorMessage } from '../../../../test/fixtures/vectors.js';
import { parseGroup, parseIdentity, type Identity } from '../account/index.js';
import { contentFromWire } from '../compat/index.js';
import { parseContent } from '../content/index.js';
import { DimError } from '../errors.js';
import { parseDocument, parseMeta, verificationKeysFor } from '../mkm/index.js';
import { openMessage, senderAttachments, parseReliableMessage, CipherKeyCache } from './index.js';

const identities = new Map<string, Identity>();
function identity(file: string): Identity {
  let found = identities.get(file);
  if (found === undefined) {
    found = parseIdentity(readVector(file));
    identities.set(file, found);
  }
  return found;
}

function senderKeys(vector: VectorMessage) {
  const message = parseReliableMessage(vector.wire);
  if (vector.senderAttachedInMessage) {
    const attached = senderAttachments(message);
    expect(attached.meta).toBeDefined();
    return verificationKeysFor(attached.meta!, attached.visa);
  }
  const from = readVector(vector.from);
  return verificationKeysFor(parseMeta(from['meta']), from['visa'] ? parseDocument(from['visa']) : undefined);
}

const STAGE_CODES: Record<string, string[]> = {
  verify: ['signature.invalid'],
  decrypt: ['message.receiver', 'crypto.decrypt', 'key.missing'],
};

describe('reference message vectors', () => {
  for (const vector of vectorMessages()) {
    for (const reader of vector.readers) {
      const title = `${vector.name}: ${reader.user.replace('users/', '').replace('.json', '')} ${reader.expect.ok ? 'opens it' : `refuses it at ${reader.expect.stage}`}`;
      it(title, () => {
        const me = identity(reader.user);
        const message = parseReliableMessage(vector.wire);
        const open = () =>
          openMessage(message, {
            me: me.id.text,
            decryptKeys: me.decryptKeys,
            verifyKeys: senderKeys(vector),
            keyCache: new CipherKeyCache(),
          });
        if (reader.expect.ok) {
          const instant = open();
          const expected = parseContent(contentFromWire(reader.expect.content as never));
          expect(instant.content).toEqual(expected);
          expect(instant.content['sn']).toBe(reader.expect.content!['sn']);
          expect(instant.sender).toBe(vector.instant['sender']);
        } else {
          let error: unknown;
          try {
            open();
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(DimError);
          expect(STAGE_CODES[reader.expect.stage!]).toContain((error as DimError).code);
        }
      });
    }
  }

  it('the vector group file checks out', () => {
    const group = parseGroup(readVector('groups/group1.json'));
    expect(group.members.map((m) => m.text)).toContain('0x45FDd9162982319eaB94880Cc2836C4AFC1a57a1');
  });
});
