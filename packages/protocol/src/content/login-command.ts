import type { JsonObject } from '../encoding/json.js';
import { checkId, checkInteger, checkObject, checkString, type Check } from './_check.js';
import { CommandName } from './command-name.js';
import { createCommand, isCommand, type Command } from './command.js';
import { definedFields, requireArgString, type Content, type ContentOptions } from './content.js';

/** The station a user logged in to (§6.5); `did` is absent when the station ID is a broadcast one. */
export interface LoginStation {
  readonly did?: string;
  readonly host?: string;
  readonly port?: number;
}

/**
 * Login command (wire spec §6.5), broadcast to `everyone@everywhere` after the handshake: `did`
 * (the user), `agent`, `device`, `station` `{did, host, port}`, `provider` `{did}` (`did` + `ID`
 * everywhere on the wire).
 */
export type LoginCommand = Command & {
  readonly command: typeof CommandName.LOGIN;
  readonly did: string;
  readonly agent?: string;
  readonly device?: string;
  readonly station?: JsonObject;
  readonly provider?: JsonObject;
};

export function createLoginCommand(
  fields: {
    readonly did: string;
    readonly agent?: string;
    readonly device?: string;
    readonly station?: LoginStation;
    readonly provider?: { readonly did: string };
  },
  options: ContentOptions = {},
): LoginCommand {
  requireArgString(fields.did, 'did');
  const station = fields.station === undefined ? undefined : definedFields({ ...fields.station });
  const provider = fields.provider === undefined ? undefined : { did: fields.provider.did };
  return createCommand(
    CommandName.LOGIN,
    { did: fields.did, agent: fields.agent, device: fields.device, station, provider },
    options,
  ) as LoginCommand;
}

export function isLoginCommand(content: Content): content is LoginCommand {
  return isCommand(content, CommandName.LOGIN);
}

export function checkLoginCommand(ck: Check, json: JsonObject): void {
  checkId(ck, json, 'did', true);
  checkString(ck, json, 'agent');
  checkString(ck, json, 'device');
  const station = checkObject(ck, json, 'station');
  if (station !== undefined) {
    const inner: Check = { ...ck, what: `${ck.what} station` };
    checkId(inner, station, 'did');
    checkString(inner, station, 'host');
    checkInteger(inner, station, 'port', 0, 65535);
  }
  const provider = checkObject(ck, json, 'provider');
  if (provider !== undefined) checkId({ ...ck, what: `${ck.what} provider` }, provider, 'did');
}
