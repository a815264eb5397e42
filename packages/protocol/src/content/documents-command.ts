import type { JsonObject } from '../encoding/json.js';
import { checkId, checkObjectList, checkString, checkTime, type Check } from './_check.js';
import { CommandName } from './command-name.js';
import { createCommand, isCommand, type Command } from './command.js';
import { requireArgString, type Content, type ContentOptions } from './content.js';
import { checkMetaField } from './meta-command.js';

/**
 * Documents command (wire spec §6.2): `did` (the subject), `documents` (visas, bulletins; each
 * `{type, did, data, signature}`), optional `meta`, and for a query `last_time` ("send only if
 * newer"). `contentToWire` writes the legacy single-`document` form deployed apps send.
 */
export type DocumentsCommand = Command & {
  readonly command: typeof CommandName.DOCUMENTS;
  readonly did: string;
  readonly documents?: readonly JsonObject[];
  readonly meta?: JsonObject;
  readonly last_time?: number;
};

/**
 * A push (with `documents`, and `meta` if wanted) or a query (without documents; `last_time` =
 * the time of the newest document the asker has). Documents are taken as given (the MKM area
 * builds and signs them).
 */
export function createDocumentsCommand(
  fields: {
    readonly did: string;
    readonly documents?: readonly JsonObject[];
    readonly meta?: JsonObject;
    readonly last_time?: number;
  },
  options: ContentOptions = {},
): DocumentsCommand {
  requireArgString(fields.did, 'did');
  return createCommand(
    CommandName.DOCUMENTS,
    {
      did: fields.did,
      meta: fields.meta,
      documents: fields.documents === undefined ? undefined : [...fields.documents],
      last_time: fields.last_time,
    },
    options,
  ) as DocumentsCommand;
}

export function isDocumentsCommand(content: Content): content is DocumentsCommand {
  return isCommand(content, CommandName.DOCUMENTS);
}

export function checkDocumentsCommand(ck: Check, json: JsonObject): void {
  checkId(ck, json, 'did', true);
  checkMetaField(ck, json);
  checkTime(ck, json, 'last_time');
  const docs = checkObjectList(ck, json, 'documents', ck.limits.maxDocuments) ?? [];
  docs.forEach((doc, i) => {
    const inner: Check = { ...ck, what: `${ck.what} documents[${i}]` };
    checkId(inner, doc, 'did', true);
    checkString(inner, doc, 'type');
    checkString(inner, doc, 'data', true);
    checkString(inner, doc, 'signature', true);
  });
}
