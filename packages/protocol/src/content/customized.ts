import type { JsonObject } from '../encoding/json.js';
import { checkId, checkIdList, checkString, checkStringMap, checkTime, field, type Check } from './_check.js';
import { createContent, requireArgString, type Content, type ContentFields, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * Customized content (type 0xCC, wire spec §5, §5.2): `app`, `mod`, `act` plus action-specific
 * fields. The reference app defines two shapes under `app: "chat.dim.group"`:
 * - the group history query (replaces the deprecated `query` command): `act: "query"`, `group`,
 *   `last_time`; its `mod` is `"keys"` in the code (`"history"` in the doc string; both read);
 * - group keys: `mod: "keys"`, `act` ∈ query | update | request | respond, `group`, `from`
 *   (sender ID), `to` (member IDs), `digest`, `keys` (member ID → Base64 encrypted key, plus
 *   `digest`).
 */
export type CustomizedContent = Content & {
  readonly type: typeof ContentType.CUSTOMIZED;
  readonly app: string;
  readonly mod?: string;
  readonly act: string;
};

export const GROUP_APP = 'chat.dim.group';

export const GroupKeysAction = {
  /** bot → sender: asks for keys of new members or a new digest. */
  QUERY: 'query',
  /** sender → bot: all member keys with the digest. */
  UPDATE: 'update',
  /** member → bot: asks for its key of a new digest. */
  REQUEST: 'request',
  /** bot → member: its key. */
  RESPOND: 'respond',
} as const;

export type GroupHistoryQuery = CustomizedContent & {
  readonly app: typeof GROUP_APP;
  readonly act: 'query';
  readonly group: string;
  readonly last_time?: number;
};

export type GroupKeysContent = CustomizedContent & {
  readonly app: typeof GROUP_APP;
  readonly mod: 'keys';
  readonly group: string;
  readonly from: string;
  readonly to?: readonly string[];
  readonly digest?: string;
  readonly keys?: Readonly<Record<string, string>>;
};

export function createCustomizedContent(
  fields: ContentFields & { readonly app: string; readonly mod?: string; readonly act: string },
  options: ContentOptions = {},
): CustomizedContent {
  requireArgString(fields.app, 'app');
  requireArgString(fields.act, 'act');
  const { app, mod, act, ...rest } = fields;
  return createContent(ContentType.CUSTOMIZED, { app, mod, act, ...rest }, options) as CustomizedContent;
}

/** The group history query of §5.2, written with `mod: "keys"` (the reference code's value). */
export function createGroupHistoryQuery(
  fields: { readonly group: string; readonly last_time?: number },
  options: ContentOptions = {},
): GroupHistoryQuery {
  requireArgString(fields.group, 'group');
  return createCustomizedContent(
    { app: GROUP_APP, mod: 'keys', act: 'query', last_time: fields.last_time },
    { ...options, group: fields.group },
  ) as GroupHistoryQuery;
}

/** A group keys content of §5.2 (`keys` wins over `digest` as in the reference). */
export function createGroupKeysContent(
  fields: {
    readonly act: (typeof GroupKeysAction)[keyof typeof GroupKeysAction];
    readonly group: string;
    readonly from: string;
    readonly to?: readonly string[];
    readonly digest?: string;
    readonly keys?: Readonly<Record<string, string>>;
  },
  options: ContentOptions = {},
): GroupKeysContent {
  requireArgString(fields.group, 'group');
  requireArgString(fields.from, 'from');
  return createCustomizedContent(
    {
      app: GROUP_APP,
      mod: 'keys',
      act: fields.act,
      from: fields.from,
      to: fields.to === undefined ? undefined : [...fields.to],
      keys: fields.keys === undefined ? undefined : { ...fields.keys },
      digest: fields.keys === undefined ? fields.digest : undefined,
    },
    { ...options, group: fields.group },
  ) as GroupKeysContent;
}

export function isCustomizedContent(content: Content): content is CustomizedContent {
  return content.type === ContentType.CUSTOMIZED;
}

/** A group history query (§5.2): `mod` "keys" or "history", `act` "query", and no `from`. */
export function isGroupHistoryQuery(content: Content): content is GroupHistoryQuery {
  return (
    isCustomizedContent(content) &&
    content.app === GROUP_APP &&
    content.act === 'query' &&
    (content.mod === 'keys' || content.mod === 'history') &&
    field(content, 'from') === undefined
  );
}

/** A group keys content (§5.2): `mod` "keys" with a `from`. */
export function isGroupKeysContent(content: Content): content is GroupKeysContent {
  return (
    isCustomizedContent(content) &&
    content.app === GROUP_APP &&
    content.mod === 'keys' &&
    typeof field(content, 'from') === 'string'
  );
}

export function checkCustomized(ck: Check, json: JsonObject): void {
  const app = checkString(ck, json, 'app', true);
  checkString(ck, json, 'mod');
  checkString(ck, json, 'act', true);
  if (app !== GROUP_APP) return;
  // the group shapes of §5.2
  checkId(ck, json, 'group', true);
  checkTime(ck, json, 'last_time');
  checkId(ck, json, 'from');
  checkIdList(ck, json, 'to');
  checkString(ck, json, 'digest');
  checkStringMap(ck, json, 'keys');
}
