/**
 * Content type numbers (wire spec §5). These are the JSON integers written on the wire; readers
 * also accept decimal strings and the 2025 aliases (see `compat/content-type.ts`).
 */
export const ContentType = {
  /** Unknown / any (alias `*`). */
  ANY: 0x00,
  TEXT: 0x01,
  FILE: 0x10,
  IMAGE: 0x12,
  AUDIO: 0x14,
  VIDEO: 0x16,
  /** Web page. */
  PAGE: 0x20,
  /** Name card (alias `card`). */
  NAME_CARD: 0x33,
  QUOTE: 0x37,
  MONEY: 0x40,
  TRANSFER: 0x41,
  /** Reserved, no implementation (§5). */
  LUCKY_MONEY: 0x42,
  /** Reserved, no implementation (§5). */
  CLAIM_PAYMENT: 0x48,
  /** Reserved, no implementation (§5). */
  SPLIT_BILL: 0x49,
  COMMAND: 0x88,
  /** History (group) commands; MUST carry `time` (§6.6). */
  HISTORY: 0x89,
  /** Reserved (`app`, `extra`). */
  APPLICATION: 0xa0,
  /** Content array (alias `array`). */
  ARRAY: 0xca,
  CUSTOMIZED: 0xcc,
  /** Chat history: `title` + `messages` (alias `combine`). */
  COMBINE_FORWARD: 0xcf,
  /** Top-secret: `forward` or `secrets` (alias `forward`). */
  FORWARD: 0xff,
} as const;

export type ContentTypeNumber = (typeof ContentType)[keyof typeof ContentType];

/** The four file content types that share the file fields of §5.1. */
export const FILE_CONTENT_TYPES: readonly number[] = [
  ContentType.FILE,
  ContentType.IMAGE,
  ContentType.AUDIO,
  ContentType.VIDEO,
];

/** Largest accepted `type` value: content types are small integers; anything beyond uint31 is garbage. */
export const MAX_CONTENT_TYPE = 0x7fffffff;
