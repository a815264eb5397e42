/**
 * Command names (wire spec §6). The canonical value of `command` is one of these for known
 * commands; unknown names are kept as they came.
 */
export const CommandName = {
  META: 'meta',
  /** Current name; deployed apps write the legacy `document` (§6.2, handled by compat). */
  DOCUMENTS: 'documents',
  RECEIPT: 'receipt',
  HANDSHAKE: 'handshake',
  LOGIN: 'login',
  REPORT: 'report',
  BLOCK: 'block',
  MUTE: 'mute',
  ANS: 'ans',
  // group (history) commands, §6.6
  FOUND: 'found',
  ABDICATE: 'abdicate',
  INVITE: 'invite',
  /** Deprecated: use `reset`. */
  EXPEL: 'expel',
  JOIN: 'join',
  QUIT: 'quit',
  RESET: 'reset',
  /** Deprecated: use the customized group history query (§5.2). */
  QUERY: 'query',
  HIRE: 'hire',
  FIRE: 'fire',
  RESIGN: 'resign',
} as const;

/** Group command names (§6.6): they carry `group`, and `members` where the command has members. */
export const GROUP_COMMAND_NAMES: readonly string[] = [
  CommandName.FOUND,
  CommandName.ABDICATE,
  CommandName.INVITE,
  CommandName.EXPEL,
  CommandName.JOIN,
  CommandName.QUIT,
  CommandName.RESET,
  CommandName.QUERY,
  CommandName.HIRE,
  CommandName.FIRE,
  CommandName.RESIGN,
];
