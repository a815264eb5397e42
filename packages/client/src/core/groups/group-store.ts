import { isDimError } from '@dimkit/protocol';
import type { ClientStore } from '../client-store.js';
import { groupRecordToJson, parseGroupRecord, type GroupRecord } from './group-record.js';

/** Where a client keeps its group records (one per group). */
export interface GroupStore {
  get(id: string): Promise<GroupRecord | undefined>;
  /** Inserts or replaces. */
  put(record: GroupRecord): Promise<void>;
  /** The IDs of every group with a record, in order of first `put`. */
  list(): Promise<string[]>;
}

const RECORD_PREFIX = 'group:';
const INDEX = 'groups';

/**
 * A `GroupStore` kept in the settings of a `ClientStore` (`group:<id>` holds a record's JSON,
 * `groups` the list of IDs), so every client store (SQLite, IndexedDB, memory) keeps groups
 * without a schema change. Writes of one instance run one at a time.
 */
export class SettingsGroupStore implements GroupStore {
  readonly #store: ClientStore;
  #writes: Promise<void> = Promise.resolve();

  constructor(store: ClientStore) {
    this.#store = store;
  }

  async get(id: string): Promise<GroupRecord | undefined> {
    const text = await this.#store.getSetting(RECORD_PREFIX + id);
    if (text === undefined) return undefined;
    try {
      return parseGroupRecord(JSON.parse(text));
    } catch (error) {
      // A record that no longer reads (edited by hand) is treated as unknown: the group's history
      // from its owner or assistant restores it.
      if (error instanceof SyntaxError || isDimError(error)) return undefined;
      throw error;
    }
  }

  put(record: GroupRecord): Promise<void> {
    const write = this.#writes.then(async () => {
      // The index first: a record is never written without being listed.
      const ids = await this.list();
      if (!ids.includes(record.id)) await this.#store.putSetting(INDEX, JSON.stringify([...ids, record.id]));
      await this.#store.putSetting(RECORD_PREFIX + record.id, JSON.stringify(groupRecordToJson(record)));
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  async list(): Promise<string[]> {
    const text = await this.#store.getSetting(INDEX);
    if (text === undefined) return [];
    try {
      const ids = JSON.parse(text) as unknown;
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
    } catch {
      return [];
    }
  }
}
