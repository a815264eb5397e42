/**
 * Size limits checked by `parseContent`, each a named option with a documented default. A whole
 * message is already bounded in bytes by the message parser; these bound what a content may make
 * its reader iterate over.
 */
export interface ContentLimits {
  /** How deep `array` contents may nest inside each other. Default 4. */
  readonly maxNesting: number;
  /** How deep any JSON value inside a content may nest. Default 32. */
  readonly maxJsonDepth: number;
  /** Items of an ID list (`members`, `list`, `to`, `administrators`, …). Default 4096. */
  readonly maxListItems: number;
  /** Entries of a documents command's `documents`. Default 16. */
  readonly maxDocuments: number;
  /** Entries of an `array` content's `contents`. Default 256. */
  readonly maxContents: number;
  /** Messages of a combine content or of a forward content's `secrets`. Default 1024. */
  readonly maxMessages: number;
  /** Characters of an ID string. Default 256 (reference apps reject IDs over 64). */
  readonly maxIdLength: number;
  /** Characters of a command name. Default 64. */
  readonly maxCommandLength: number;
}

export const DEFAULT_CONTENT_LIMITS: ContentLimits = {
  maxNesting: 4,
  maxJsonDepth: 32,
  maxListItems: 4096,
  maxDocuments: 16,
  maxContents: 256,
  maxMessages: 1024,
  maxIdLength: 256,
  maxCommandLength: 64,
};
