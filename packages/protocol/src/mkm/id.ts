import { DimError } from '../errors.js';
import { type Address, parseAddress } from './address.js';
import { buildId as build } from './_id.js';

/** The reference app rejects ID strings outside 4–64 characters (wire spec §3.1). */
export const ID_MIN_LENGTH = 4;
export const ID_MAX_LENGTH = 64;

/** An entity identifier `name@address[/terminal]` (wire spec §3.1). Compare IDs by `text`. */
export interface ID {
  /** The exact string; IDs compare as exact strings, terminal and letter case included. */
  readonly text: string;
  readonly name: string | undefined;
  readonly address: Address;
  readonly terminal: string | undefined;
  /**
   * Entity type: the address's mapped type (§3.3), except that an ID without a name is always a
   * USER (ETH and BTC addresses), as the deployed apps read it.
   */
  readonly type: number;
  readonly isUser: boolean;
  readonly isGroup: boolean;
  readonly isBroadcast: boolean;
}

function fail(text: string, why: string): never {
  throw new DimError('id.syntax', `ID "${text.slice(0, 80)}": ${why}`);
}

/**
 * Parses an ID string: `name@address`, `address`, either followed by `/terminal`. Throws
 * DimError `id.syntax` (not a string, outside 4–64 chars, empty name or terminal, more than one
 * `@`), or the address errors `address.syntax` / `address.checksum`.
 */
export function parseId(text: unknown): ID {
  if (typeof text !== 'string') throw new DimError('id.syntax', `ID: expected a string, got ${typeof text}`);
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const id = parseIdText(text);
  if (parsed.size >= PARSED_CACHE_SIZE) parsed.clear();
  parsed.set(text, id);
  return id;
}

/**
 * Parsed IDs by string. An ID is immutable and parsing one costs hashing (BTC check code, EIP-55),
 * while every message names the same few IDs again and again. Only valid IDs are kept.
 */
const parsed = new Map<string, ID>();
const PARSED_CACHE_SIZE = 8192;

function parseIdText(text: string): ID {
  if (text.length < ID_MIN_LENGTH || text.length > ID_MAX_LENGTH) {
    fail(text, `expected ${ID_MIN_LENGTH}–${ID_MAX_LENGTH} characters, got ${text.length}`);
  }
  const slash = text.indexOf('/');
  const head = slash < 0 ? text : text.slice(0, slash);
  const terminal = slash < 0 ? undefined : text.slice(slash + 1);
  if (terminal === '') fail(text, 'empty terminal after "/"');
  const at = head.indexOf('@');
  if (at < 0) return build(text, undefined, parseAddress(head), terminal);
  if (head.indexOf('@', at + 1) >= 0) fail(text, 'more than one "@"');
  const name = head.slice(0, at);
  if (name === '') fail(text, 'empty name before "@"');
  return build(text, name, parseAddress(head.slice(at + 1)), terminal);
}

/**
 * Formats the parts of an ID. Throws RangeError if `name` is empty or holds `@` or `/`, if
 * `terminal` is empty, or if the result is outside 4–64 characters.
 */
export function formatId(parts: {
  readonly name?: string | undefined;
  readonly address: Address | string;
  readonly terminal?: string | undefined;
}): string {
  const { name, terminal } = parts;
  const address = typeof parts.address === 'string' ? parts.address : parts.address.text;
  if (name !== undefined && (name === '' || /[@/]/.test(name))) {
    throw new RangeError(`name: expected a non-empty string without "@" or "/", got "${name}"`);
  }
  if (terminal !== undefined && terminal === '') throw new RangeError('terminal: expected a non-empty string');
  const text = (name === undefined ? '' : `${name}@`) + address + (terminal === undefined ? '' : `/${terminal}`);
  if (text.length < ID_MIN_LENGTH || text.length > ID_MAX_LENGTH) {
    throw new RangeError(`ID: expected ${ID_MIN_LENGTH}–${ID_MAX_LENGTH} characters, got ${text.length}`);
  }
  return text;
}

/** The same ID without its terminal (the identity the meta and documents belong to). */
export function withoutTerminal(id: ID): ID {
  if (id.terminal === undefined) return id;
  return build(id.text.slice(0, id.text.length - id.terminal.length - 1), id.name, id.address, undefined);
}
