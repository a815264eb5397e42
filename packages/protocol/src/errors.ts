/**
 * The one error type of dimkit. `code` is stable (listed in docs/errors.md) and never renamed;
 * the message says what was wrong, in which field, and what was expected.
 * A caller's bug (wrong argument type) throws TypeError/RangeError instead.
 */
export type DimErrorCode =
  // encoding
  | 'encoding.base64'
  | 'encoding.base58'
  | 'encoding.hex'
  | 'encoding.utf8'
  | 'encoding.json'
  | 'encoding.ted'
  // keys and crypto
  | 'key.algorithm'
  | 'key.format'
  | 'key.size'
  | 'key.missing'
  | 'crypto.decrypt'
  | 'crypto.padding'
  | 'crypto.encrypt'
  | 'signature.invalid'
  // identity (MKM)
  | 'id.syntax'
  | 'address.syntax'
  | 'address.checksum'
  | 'address.network'
  | 'meta.type'
  | 'meta.invalid'
  | 'meta.mismatch'
  | 'meta.missing'
  | 'document.invalid'
  | 'document.signature'
  | 'document.mismatch'
  | 'visa.missing'
  // messages (DKD) and contents
  | 'message.format'
  | 'message.size'
  | 'message.sender'
  | 'message.receiver'
  | 'content.format'
  | 'content.type'
  | 'command.format'
  // station
  | 'frame.too_large'
  | 'frame.format'
  | 'handshake.required'
  | 'handshake.invalid'
  | 'session.sender'
  | 'rate.limited'
  | 'store.quota'
  | 'store.failure'
  | 'store.schema'
  | 'config.invalid'
  // client and CLI
  | 'cli.usage'
  | 'cli.file'
  | 'client.timeout'
  | 'client.closed'
  | 'client.passphrase'
  // groups (wire spec §4.8, §6.6)
  | 'group.permission'
  | 'group.unknown'
  | 'group.members'
  // files (wire spec §5.1)
  | 'file.transfer'
  | 'file.too_large'
  | 'file.digest';

export class DimError extends Error {
  readonly code: DimErrorCode;

  constructor(code: DimErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.name = 'DimError';
    this.code = code;
  }
}

export function isDimError(value: unknown, code?: DimErrorCode): value is DimError {
  return value instanceof DimError && (code === undefined || value.code === code);
}
