import { DimError } from '@dimkit/protocol';
import { GROUP_MAX_MEMBERS } from '@dimkit/protocol/account';
import { isJsonObject, type JsonObject } from '@dimkit/protocol/encoding';
import { parseId } from '@dimkit/protocol/mkm';

/** Join requests kept per group at most (older ones are dropped first). */
export const MAX_GROUP_REQUESTS = 256;

/**
 * What one client keeps about a group besides its meta and bulletin (those are contacts): the
 * member list, which no signed document holds (wire spec §6.6).
 */
export interface GroupRecord {
  readonly id: string;
  /** Owner first. */
  readonly members: readonly string[];
  /** Content `time` of the newest `reset` applied. */
  readonly resetTime?: number;
  /** The signed message of that `reset`, kept as received to relay unchanged (history answers). */
  readonly resetMessage?: JsonObject;
  /** Users who asked to join, for the owner and administrators to decide. */
  readonly requests: readonly string[];
  /** Seconds. */
  readonly updatedAt: number;
}

function bad(why: string): never {
  throw new DimError('store.failure', `group record: ${why}`);
}

function idList(value: unknown, field: string, max: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > max) bad(`${field}: expected at most ${max} IDs`);
  return value.map((item) => {
    if (typeof item !== 'string') bad(`${field}: expected ID strings`);
    return parseId(item).text;
  });
}

function seconds(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) bad(`${field}: expected seconds`);
  return value;
}

/** Reads a stored group record (JSON text already parsed). Throws DimError('store.failure' | 'id.*'). */
export function parseGroupRecord(input: unknown): GroupRecord {
  if (!isJsonObject(input)) bad('expected a JSON object');
  const id = parseId(input['id']);
  if (!id.isGroup) bad(`${id.text} is not a group ID`);
  const resetTime = seconds(input['resetTime'], 'resetTime');
  const resetMessage = input['resetMessage'];
  if (resetMessage !== undefined && !isJsonObject(resetMessage)) bad('resetMessage: expected a message object');
  return {
    id: id.text,
    members: idList(input['members'], 'members', GROUP_MAX_MEMBERS),
    ...(resetTime === undefined ? {} : { resetTime }),
    ...(resetMessage === undefined ? {} : { resetMessage }),
    requests: idList(input['requests'], 'requests', MAX_GROUP_REQUESTS),
    updatedAt: seconds(input['updatedAt'], 'updatedAt') ?? 0,
  };
}

export function groupRecordToJson(record: GroupRecord): JsonObject {
  return {
    id: record.id,
    members: [...record.members],
    ...(record.resetTime === undefined ? {} : { resetTime: record.resetTime }),
    ...(record.resetMessage === undefined ? {} : { resetMessage: record.resetMessage }),
    requests: [...record.requests],
    updatedAt: record.updatedAt,
  };
}
