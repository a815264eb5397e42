import { DimError } from '@dimkit/protocol';
import {
  decodeBase64,
  decodeUtf8,
  encodeBase64,
  encodeUtf8,
  isJsonObject,
  type JsonObject,
} from '@dimkit/protocol/encoding';
import { defaultFactory, openDatabase, request, transact } from './_idb.js';

/** PBKDF2-SHA-256 iterations for new entries (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
export const VAULT_DEFAULT_ITERATIONS = 600_000;
/** Entries asking for more are refused as corrupt (an unlock must not take minutes). */
export const VAULT_MAX_ITERATIONS = 10_000_000;

const DB_NAME = 'dimkit';
const STORE = 'identities';
const SALT_BYTES = 16;
const IV_BYTES = 12;
const DATA_KEY_BYTES = 32;

/** What the vault shows without the passphrase: enough to offer a list of accounts. */
export interface VaultSummary {
  readonly id: string;
  readonly name?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One stored row: the identity file and a random data key, sealed together under the passphrase. */
interface VaultEntry extends VaultSummary {
  readonly kdf: {
    readonly algorithm: 'PBKDF2';
    readonly hash: 'SHA-256';
    readonly iterations: number;
    readonly salt: string;
  };
  readonly iv: string;
  readonly data: string;
}

/** An unlocked identity: its file form, the data key of its message store, and a way to re-save it. */
export interface UnlockedIdentity {
  /** The identity file (`{id, meta, visa, privateKey, visaPrivateKey?}`), as `dim id export` writes it. */
  readonly identity: JsonObject;
  /** AES-GCM, not extractable: seals the store's message keys (IndexedDbClientStore `secretKey`). */
  readonly storeKey: CryptoKey;
  /** Seals and stores a changed identity file (a re-signed visa) under the same passphrase. */
  save(identity: JsonObject, name?: string): Promise<void>;
}

export interface IdentityVaultOptions {
  readonly factory?: IDBFactory;
  /** PBKDF2 iterations for entries this vault writes (default VAULT_DEFAULT_ITERATIONS). */
  readonly iterations?: number;
}

function u8(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

async function wrappingKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', u8(encodeUtf8(passphrase.normalize('NFKC'))), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: u8(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The additional data binding a sealed entry to its ID: a row copied under another ID does not open. */
function label(id: string): Uint8Array<ArrayBuffer> {
  return u8(encodeUtf8(`dimkit identity\n${id}`));
}

function parseEntry(input: unknown): VaultEntry {
  const e = input as Partial<VaultEntry> | undefined;
  const kdf = e?.kdf;
  if (
    typeof e !== 'object' ||
    typeof e.id !== 'string' ||
    typeof e.iv !== 'string' ||
    typeof e.data !== 'string' ||
    kdf?.algorithm !== 'PBKDF2' ||
    kdf.hash !== 'SHA-256' ||
    typeof kdf.salt !== 'string' ||
    !Number.isInteger(kdf.iterations) ||
    kdf.iterations < 1 ||
    kdf.iterations > VAULT_MAX_ITERATIONS
  ) {
    throw new DimError('store.failure', 'identity vault: a stored entry is malformed');
  }
  return e as VaultEntry;
}

/**
 * Identities kept in the browser (IndexedDB database `dimkit`), each sealed under its own passphrase:
 * PBKDF2-SHA-256 stretches the passphrase into an AES-256-GCM key (WebCrypto, not extractable) that
 * seals the identity file together with a random data key for the identity's message store. Nothing
 * private is stored in the clear; the passphrase is never stored.
 */
export class IdentityVault {
  readonly #db: IDBDatabase;
  readonly #iterations: number;

  private constructor(db: IDBDatabase, iterations: number) {
    this.#db = db;
    this.#iterations = iterations;
  }

  static async open(options: IdentityVaultOptions = {}): Promise<IdentityVault> {
    const iterations = options.iterations ?? VAULT_DEFAULT_ITERATIONS;
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > VAULT_MAX_ITERATIONS) {
      throw new RangeError(`iterations: expected an integer 1 … ${VAULT_MAX_ITERATIONS}, got ${iterations}`);
    }
    const db = await openDatabase(options.factory ?? defaultFactory(), DB_NAME, 1, (db) => {
      db.createObjectStore(STORE, { keyPath: 'id' });
    });
    return new IdentityVault(db, iterations);
  }

  /** The stored identities, most recently used first. */
  async list(): Promise<VaultSummary[]> {
    const rows = await transact(this.#db, STORE, 'readonly', (tx) =>
      request<VaultEntry[]>(tx.objectStore(STORE).getAll()),
    );
    return rows
      .map(({ id, name, createdAt, updatedAt }) => ({
        id,
        ...(name === undefined ? {} : { name }),
        createdAt,
        updatedAt,
      }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /**
   * Seals a new identity file under `passphrase` (replacing an entry of the same ID) and returns it
   * unlocked. Throws TypeError on an identity without an `id` string or an empty passphrase.
   */
  async add(identity: JsonObject, passphrase: string, name?: string): Promise<UnlockedIdentity> {
    const id = identity['id'];
    if (typeof id !== 'string') throw new TypeError('identity: expected an `id` string');
    if (typeof passphrase !== 'string' || passphrase.length === 0)
      throw new TypeError('passphrase: expected a non-empty string');
    const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    const key = await wrappingKey(passphrase, salt, this.#iterations);
    const dataKey = crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES));
    const kdf = {
      algorithm: 'PBKDF2',
      hash: 'SHA-256',
      iterations: this.#iterations,
      salt: encodeBase64(salt),
    } as const;
    const now = Date.now() / 1000;
    await this.#write(id, key, kdf, { identity, dataKey: encodeBase64(dataKey) }, name, now);
    return this.#unlocked(id, key, kdf, identity, dataKey, now);
  }

  /**
   * Opens the entry of `id`. Throws DimError('crypto.decrypt') for a wrong passphrase (or altered
   * data), DimError('key.missing') when there is no such entry, DimError('store.failure') when the
   * entry is malformed.
   */
  async unlock(id: string, passphrase: string): Promise<UnlockedIdentity> {
    const row = await transact(this.#db, STORE, 'readonly', (tx) => request<unknown>(tx.objectStore(STORE).get(id)));
    if (row === undefined) throw new DimError('key.missing', `identity vault: no identity ${id}`);
    const entry = parseEntry(row);
    const key = await wrappingKey(passphrase, decodeBase64(entry.kdf.salt), entry.kdf.iterations);
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: u8(decodeBase64(entry.iv)), additionalData: label(entry.id) },
        key,
        u8(decodeBase64(entry.data)),
      );
    } catch (cause) {
      throw new DimError('crypto.decrypt', 'identity vault: wrong passphrase', { cause });
    }
    const sealed = JSON.parse(decodeUtf8(new Uint8Array(plain))) as unknown;
    if (!isJsonObject(sealed) || !isJsonObject(sealed['identity']) || typeof sealed['dataKey'] !== 'string') {
      throw new DimError('store.failure', 'identity vault: a stored entry is malformed');
    }
    return this.#unlocked(
      entry.id,
      key,
      entry.kdf,
      sealed['identity'],
      decodeBase64(sealed['dataKey']),
      entry.createdAt,
    );
  }

  /** Deletes the entry of `id` (its message store is separate). */
  async remove(id: string): Promise<void> {
    await transact(this.#db, STORE, 'readwrite', async (tx) => void (await request(tx.objectStore(STORE).delete(id))));
  }

  close(): void {
    this.#db.close();
  }

  async #unlocked(
    id: string,
    key: CryptoKey,
    kdf: VaultEntry['kdf'],
    identity: JsonObject,
    dataKey: Uint8Array,
    createdAt: number,
  ): Promise<UnlockedIdentity> {
    const storeKey = await crypto.subtle.importKey('raw', u8(dataKey), 'AES-GCM', false, ['encrypt', 'decrypt']);
    const sealedKey = encodeBase64(dataKey);
    return {
      identity,
      storeKey,
      save: async (next: JsonObject, name?: string) => {
        if (next['id'] !== id) throw new TypeError(`identity: expected ${id}, got ${String(next['id'])}`);
        await this.#write(id, key, kdf, { identity: next, dataKey: sealedKey }, name, createdAt);
      },
    };
  }

  async #write(
    id: string,
    key: CryptoKey,
    kdf: VaultEntry['kdf'],
    payload: JsonObject,
    name: string | undefined,
    createdAt: number,
  ): Promise<void> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const data = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: label(id) },
      key,
      u8(encodeUtf8(JSON.stringify(payload))),
    );
    const entry: VaultEntry = {
      id,
      ...(name === undefined ? {} : { name }),
      createdAt,
      updatedAt: Date.now() / 1000,
      kdf,
      iv: encodeBase64(iv),
      data: encodeBase64(new Uint8Array(data)),
    };
    await transact(this.#db, STORE, 'readwrite', async (tx) => void (await request(tx.objectStore(STORE).put(entry))));
  }
}
