import type { JsonObject } from '../encoding/json.js';
import { checkString, type Check } from './_check.js';
import { CommandName } from './command-name.js';
import { createCommand, isCommand, type Command } from './command.js';
import { requireArgString, type Content, type ContentOptions } from './content.js';

/**
 * Handshake command (wire spec §6.4): `title` (`title` + legacy `message` on the wire), optional
 * `session`. Client "Hello world!" → station "DIM?" + session → client "Hello world!" + session →
 * station "DIM!" (accepted). The station may add `remote_address` and `force: true`.
 */
export type HandshakeCommand = Command & {
  readonly command: typeof CommandName.HANDSHAKE;
  readonly title: string;
  readonly session?: string;
};

export const HandshakeTitle = {
  /** Client: start (no session) or answer (with the station's session). */
  HELLO: 'Hello world!',
  /** Station: handshake again, with this session. */
  AGAIN: 'DIM?',
  /** Station: accepted. */
  SUCCESS: 'DIM!',
} as const;

export function createHandshakeCommand(
  fields: { readonly title: string; readonly session?: string },
  options: ContentOptions = {},
): HandshakeCommand {
  requireArgString(fields.title, 'title');
  return createCommand(
    CommandName.HANDSHAKE,
    { title: fields.title, session: fields.session },
    options,
  ) as HandshakeCommand;
}

export function isHandshakeCommand(content: Content): content is HandshakeCommand {
  return isCommand(content, CommandName.HANDSHAKE);
}

export function checkHandshakeCommand(ck: Check, json: JsonObject): void {
  checkString(ck, json, 'title', true);
  checkString(ck, json, 'session');
}
