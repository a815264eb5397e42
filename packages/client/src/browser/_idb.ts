/**
 * Promises over IndexedDB requests and transactions. Inside `transact`, await only IndexedDB
 * requests: waiting on anything else (WebCrypto, a timer) lets the transaction commit early.
 */

/** The result of one request. */
export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * Runs `work` in one transaction over `stores` and resolves with its result once the transaction
 * has committed (so the change is durable when the promise resolves). If `work` throws, the
 * transaction is aborted and nothing of it is kept.
 */
export function transact<T>(
  db: IDBDatabase,
  stores: string | string[],
  mode: IDBTransactionMode,
  work: (tx: IDBTransaction) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(stores, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
    let result: { value: T } | undefined;
    let committed = false;
    let failed = false;
    const settle = () => {
      if (!failed && committed && result !== undefined) resolve(result.value);
    };
    tx.oncomplete = () => {
      committed = true;
      settle();
    };
    tx.onabort = () => {
      if (!failed) reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    };
    tx.onerror = (event) => event.preventDefault(); // reported once, through onabort
    work(tx).then(
      (value) => {
        result = { value };
        settle();
      },
      (error: unknown) => {
        failed = true;
        try {
          tx.abort();
        } catch {
          // already finished
        }
        reject(error);
      },
    );
  });
}

/**
 * Walks a cursor, calling `step` for each value until it returns false or the range ends.
 * `step` may issue requests on the same transaction (they are not awaited).
 */
export function walk<T>(
  source: IDBObjectStore | IDBIndex,
  range: IDBKeyRange | null,
  direction: IDBCursorDirection,
  step: (value: T, cursor: IDBCursorWithValue) => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = source.openCursor(range, direction);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB cursor failed'));
    req.onsuccess = () => {
      const cursor = req.result;
      if (cursor === null) {
        resolve();
        return;
      }
      if (step(cursor.value as T, cursor)) cursor.continue();
      else resolve();
    };
  });
}

/** Opens (and creates or upgrades) a database. */
export function openDatabase(
  factory: IDBFactory,
  name: string,
  version: number,
  upgrade: (db: IDBDatabase, oldVersion: number, tx: IDBTransaction) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, version);
    req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion, req.transaction!);
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading the schema: let it, this one reloads.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error ?? new Error(`IndexedDB: cannot open ${name}`));
    req.onblocked = () => reject(new Error(`IndexedDB: ${name} is open in another tab with an older version`));
  });
}

/** The default factory (`globalThis.indexedDB`); throws TypeError when there is none. */
export function defaultFactory(): IDBFactory {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) throw new TypeError('IndexedDB is not available here');
  return factory;
}
