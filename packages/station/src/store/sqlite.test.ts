import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DimError } from '@dimkit/protocol';
import BetterSqlite3 from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeStoreContract } from './contract.js';
import { latestVersion, migrate, MIGRATIONS, userVersion, type Migration } from './migrations.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'dimkit-store-'));
let fileNo = 0;
const freshFile = () => join(dir, `store-${++fileNo}.db`);
const clearDir = () => {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('SqliteStore on a file', async (options) => new SqliteStore(freshFile(), options), clearDir);

describe('SqliteStore', () => {
  const opened: SqliteStore[] = [];
  const open = (path: string, options?: SqliteStoreOptions) => {
    const store = new SqliteStore(path, options);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  it('keeps everything across close and reopen', async () => {
    const file = freshFile();
    const first = open(file);
    await first.metas.put('alice', { seed: 'alice' });
    await first.documents.put('alice', 'visa', { name: 'Alice' }, 10);
    await first.inbox.put('bob', { signature: 's1', time: 5, payload: new Uint8Array([0xff, 0, 0xfe]) });
    await first.lists.set('alice', 'block', ['carol', 'dave']);
    await first.logins.put('alice', { time: 7, station: 'gsp@x', message: { signature: 'l' } });
    await first.identity.put({ id: 'gsp@x' });
    await first.close();

    const second = open(file);
    expect(await second.metas.get('alice')).toEqual({ seed: 'alice' });
    expect(await second.documents.get('alice')).toEqual({ type: 'visa', time: 10, document: { name: 'Alice' } });
    const [item] = await second.inbox.list('bob', { limit: 10 });
    expect(item).toMatchObject({ signature: 's1', time: 5 });
    expect([...item!.payload]).toEqual([0xff, 0, 0xfe]);
    expect(await second.inbox.count('bob')).toBe(1);
    expect(await second.lists.get('alice', 'block')).toEqual(['carol', 'dave']);
    // `has` skips the query for owners without a list: what it knows of them is loaded at open.
    expect(await second.lists.has('alice', 'block', 'dave')).toBe(true);
    expect(await second.lists.has('alice', 'mute', 'dave')).toBe(false);
    expect(await second.logins.get('alice')).toEqual({ time: 7, station: 'gsp@x', message: { signature: 'l' } });
    expect(await second.identity.get()).toEqual({ id: 'gsp@x' });
    // keep-first still holds after reopening
    expect(await second.metas.put('alice', { seed: 'other' })).toBe(false);
  });

  it('opens the file in WAL mode', async () => {
    const file = freshFile();
    open(file);
    const peek = new BetterSqlite3(file, { readonly: true });
    expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
    peek.close();
  });

  it('commits puts queued in the same tick as one transaction', async () => {
    const file = freshFile();
    const store = open(file);
    await store.inbox.put('bob', { signature: 'warm-up', time: 1, payload: new Uint8Array(1) });
    // data_version changes in a connection each time another connection commits.
    const peek = new BetterSqlite3(file, { readonly: true });
    const version = () => peek.pragma('data_version', { simple: true }) as number;
    const before = version();
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        store.inbox.put('bob', { signature: `s${i}`, time: 1, payload: new Uint8Array(8) }),
      ),
    );
    expect(version()).toBe(before + 1);
    await store.inbox.put('bob', { signature: 'next', time: 1, payload: new Uint8Array(1) });
    expect(version()).toBe(before + 2);
    peek.close();
  });

  it('loses no resolved put when its process is killed with SIGKILL', async () => {
    const file = freshFile();
    const printed = await runAndKill(file, 600);
    expect(printed.length).toBeGreaterThanOrEqual(600);
    const store = open(file);
    const items = await store.inbox.list('bob', { limit: 100_000 });
    const bySignature = new Map(items.map((item) => [item.signature, item]));
    const missing = printed.filter((sig) => !bySignature.has(sig));
    expect(missing).toEqual([]);
    for (const sig of printed) expect(new TextDecoder().decode(bySignature.get(sig)!.payload)).toBe(`payload ${sig}`);
  });

  it('rolls back a failing batch: every write in it rejects with store.failure and none is kept', async () => {
    const file = freshFile();
    const store = open(file);
    // Another connection adds a trigger that fails one insert: the batch holding it must fail as a whole.
    const admin = new BetterSqlite3(file);
    admin.exec(`CREATE TRIGGER fail_boom BEFORE INSERT ON inbox WHEN NEW.signature = 'boom'
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    admin.close();
    const put = (signature: string) => store.inbox.put('bob', { signature, time: 1, payload: new Uint8Array(4) });
    const settled = await Promise.allSettled([
      put('before'),
      store.metas.put('alice', { seed: 'a' }),
      put('boom'),
      put('after'),
    ]);
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect(((s as PromiseRejectedResult).reason as DimError).code).toBe('store.failure');
    }
    expect(await store.inbox.count('bob')).toBe(0);
    expect(await store.inbox.list('bob', { limit: 10 })).toEqual([]);
    expect(await store.metas.get('alice')).toBeUndefined();
    // the next batch works
    expect(await put('later')).toBe('stored');
    expect(await store.inbox.count('bob')).toBe(1);
  });

  it('rejects writes past maxBytes with store.quota and keeps what was committed before', async () => {
    const store = open(freshFile(), { maxBytes: 256 * 1024 });
    const payload = new Uint8Array(16 * 1024).fill(7);
    let stored = 0;
    let error: unknown;
    for (let i = 0; i < 100 && error === undefined; i++) {
      try {
        await store.inbox.put('bob', { signature: `s${i}`, time: 1, payload });
        stored++;
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(DimError);
    expect((error as DimError).code).toBe('store.quota');
    expect(stored).toBeGreaterThan(0);
    expect(await store.inbox.count('bob')).toBe(stored);
    // freeing room makes writes possible again
    const items = await store.inbox.list('bob', { limit: 5 });
    await store.inbox.remove(
      'bob',
      items.map((i) => i.seq),
    );
    expect(await store.inbox.put('bob', { signature: 'again', time: 1, payload: new Uint8Array(10) })).toBe('stored');
  });

  it('refuses a database written by a newer schema with store.schema', () => {
    const file = freshFile();
    const db = new BetterSqlite3(file);
    db.pragma(`user_version = ${latestVersion() + 1}`);
    db.close();
    const error = catchError(() => new SqliteStore(file));
    expect(error).toBeInstanceOf(DimError);
    expect((error as DimError).code).toBe('store.schema');
  });

  it('fails to open an impossible path with store.failure', () => {
    const error = catchError(() => new SqliteStore(join(dir, 'no-such-dir', 'x.db')));
    expect((error as DimError).code).toBe('store.failure');
  });

  it('refuses bad options as a caller bug', () => {
    expect(() => new SqliteStore(':memory:', { maxPerReceiver: 0 })).toThrow(RangeError);
    expect(() => new SqliteStore(':memory:', { retentionSeconds: -1 })).toThrow(RangeError);
    expect(() => new SqliteStore(':memory:', { synchronous: 'off' as 'full' })).toThrow(RangeError);
    expect(() => new SqliteStore('')).toThrow(TypeError);
  });

  it('works in memory', async () => {
    const store = open(':memory:');
    expect(await store.inbox.put('bob', { signature: 's', time: 1, payload: new Uint8Array([1]) })).toBe('stored');
    expect(await store.inbox.count('bob')).toBe(1);
  });
});

describe('migrations', () => {
  it('brings a new database to the latest version, and reopening runs nothing again', async () => {
    const file = freshFile();
    await new SqliteStore(file).close();
    const db = new BetterSqlite3(file);
    expect(userVersion(db)).toBe(latestVersion());
    expect(migrate(db)).toEqual({ from: latestVersion(), to: latestVersion() });
    db.close();
    await new SqliteStore(file).close(); // no "table already exists"
  });

  it('runs each migration exactly once, in order, across reopens', () => {
    const file = freshFile();
    const runs: number[] = [];
    const steps: Migration[] = [1, 2, 3].map((version) => ({
      version,
      description: `step ${version}`,
      up: (db) => {
        runs.push(version);
        db.exec(`CREATE TABLE t${version} (x)`);
      },
    }));
    const db1 = new BetterSqlite3(file);
    expect(migrate(db1, steps.slice(0, 2))).toEqual({ from: 0, to: 2 });
    db1.close();
    const db2 = new BetterSqlite3(file);
    expect(migrate(db2, steps)).toEqual({ from: 2, to: 3 });
    expect(migrate(db2, steps)).toEqual({ from: 3, to: 3 });
    db2.close();
    expect(runs).toEqual([1, 2, 3]);
  });

  it('rolls back a failing migration entirely, keeping the previous version', () => {
    const db = new BetterSqlite3(':memory:');
    const steps: Migration[] = [
      { version: 1, description: 'ok', up: 'CREATE TABLE a (x)' },
      { version: 2, description: 'fails halfway', up: 'CREATE TABLE b (x); INSERT INTO missing VALUES (1);' },
    ];
    expect(() => migrate(db, steps)).toThrow();
    expect(userVersion(db)).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(['a']);
    db.close();
  });

  it('refuses migrations that are not numbered 1, 2, 3, ...', () => {
    const db = new BetterSqlite3(':memory:');
    expect(() => migrate(db, [{ version: 2, description: 'gap', up: '' }])).toThrow(RangeError);
    db.close();
  });

  it('keeps the shipped migrations numbered from 1', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Runs a child node process that stores inbox items in waves of concurrent puts and prints each signature as
 * soon as its put resolved; kills it with SIGKILL once `atLeast` were printed. Answers the printed signatures.
 * The child is bundled from TypeScript with esbuild (vitest's own transformer); better-sqlite3 stays external.
 */
async function runAndKill(file: string, atLeast: number): Promise<string[]> {
  const source = join(dir, 'child.ts');
  const bundle = join(dir, 'child.cjs');
  writeFileSync(
    source,
    `import { SqliteStore } from ${JSON.stringify(fileURLToPath(new URL('./sqlite.ts', import.meta.url)))};
     const store = new SqliteStore(process.argv[2]!);
     async function main() {
       for (let i = 0; ; ) {
         const wave: Array<Promise<void>> = [];
         for (let k = 0; k < 40; k++, i++) {
           const signature = 'sig-' + i;
           const payload = new TextEncoder().encode('payload ' + signature);
           wave.push(store.inbox.put('bob', { signature, time: i, payload }).then((result) => {
             if (result === 'stored') process.stdout.write(signature + '\\n');
           }));
         }
         await Promise.all(wave);
       }
     }
     void main();`,
  );
  await build({
    entryPoints: [source],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
    external: ['better-sqlite3'],
    alias: { '@dimkit/protocol': join(repoRoot, 'packages/protocol/src/index.ts') },
  });
  return new Promise<string[]>((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, file], {
      env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!killed && out.split('\n').length > atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended without being killed: ${err}`));
      // A line cut short by the kill was not fully printed: only complete lines count.
      else resolve(out.split('\n').slice(0, -1));
    });
  });
}
