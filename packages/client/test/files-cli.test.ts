// Files through the command line and a `dim station` process: `dim send --file` with a progress bar, the station
// keeping only ciphertext, `dim files list|get` giving back the same bytes; the upload limit (413) as a usage
// error; `dim contacts` and `dim id export|import` round trips.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliBundle, spawnStation, type StationProcess } from '../../station/test/_cli.js';

const dirs: string[] = [];
const stations: StationProcess[] = [];
const children = new Set<ChildProcess>();
let dim: string;

beforeAll(async () => {
  dim = process.env['DIM_TEST_CLI'] ?? (await cliBundle());
}, 60_000);
afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
  for (const station of stations.splice(0)) {
    station.child.kill('SIGTERM');
    await station.exited;
  }
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [dim, ...args],
      { env: { ...process.env, DIM_PASSPHRASE: '', ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), stdout, stderr }),
    );
    children.add(child);
  });
}

async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const result = await run(args, env);
  expect(result.code, `dim ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dim-files-cli-'));
  dirs.push(dir);
  return dir;
}

async function station(dir: string, config?: Record<string, unknown>): Promise<number> {
  const args = ['--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir, 'station')];
  if (config !== undefined) {
    writeFileSync(join(dir, 'station.json'), JSON.stringify(config));
    args.push('--config', join(dir, 'station.json'));
  }
  const process = await spawnStation(args);
  stations.push(process);
  return process.listening;
}

async function identity(dir: string, name: string): Promise<{ file: string; id: string }> {
  const file = join(dir, `${name}.json`);
  const made = await ok(['id', 'new', '--name', name, '--out', file]);
  return { file, id: (JSON.parse(made.stdout) as { id: string }).id };
}

/** `dim listen` until it has printed an event matching `predicate`; then interrupted. */
async function listenUntil(
  args: string[],
  predicate: (event: Record<string, unknown>) => boolean,
  start?: () => Promise<void>,
): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, [dim, 'listen', ...args], { env: { ...process.env, DIM_PASSPHRASE: '' } });
  children.add(child);
  const events: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on('line', (line) =>
    events.push(JSON.parse(line) as Record<string, unknown>),
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 30_000;
  let started = false;
  while (!events.some(predicate)) {
    if (!started && events.some((e) => e['state'] === 'running')) {
      started = true;
      await start?.();
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(events)}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
  return events;
}

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
}

describe('dim send --file and dim files through a dim station', () => {
  it('a file round trip with a progress bar: same bytes back, only ciphertext on the station', async () => {
    const dir = tempDir();
    const port = await station(dir);
    const url = `ws://127.0.0.1:${port}/`;
    const alice = await identity(dir, 'alice');
    const bob = await identity(dir, 'bob');
    const plaintext = randomBytes(1_500_000);
    // a recognisable run inside, to look for on the station's disk
    plaintext.set(new TextEncoder().encode('THE-PLAINTEXT-MARKER-'.repeat(8)), 700_000);
    writeFileSync(join(dir, 'holiday plans.pdf'), plaintext);

    let sent: Run | undefined;
    const events = await listenUntil(
      ['--station', url, '--me', bob.file, '--home', join(dir, 'home-bob')],
      (e) => e['event'] === 'message',
      async () => {
        sent = await ok([
          'send',
          '--station',
          url,
          '--me',
          alice.file,
          '--home',
          join(dir, 'home-alice'),
          '--to',
          bob.id,
          '--file',
          join(dir, 'holiday plans.pdf'),
          '--progress',
          'bar',
        ]);
      },
    );
    expect(JSON.parse(sent!.stdout)).toMatchObject({ to: bob.id, state: 'delivered' });
    // the bar: frames redrawn with \r, from 0 % to 100 %, then a newline
    const frames = sent!.stderr.split('\r').filter((f) => f.includes('upload holiday plans.pdf'));
    expect(frames.length).toBeGreaterThanOrEqual(2); // at most one frame per 50 ms; the first and last always
    expect(frames[0]).toMatch(/\[░{20}\]\s+0%/);
    expect(frames.at(-1)).toMatch(/\[█{20}\] 100% {2}1\.4 MiB \/ 1\.4 MiB/);
    expect(sent!.stderr.endsWith('\n')).toBe(true);

    const message = events.find((e) => e['event'] === 'message')!;
    const content = message['content'] as Record<string, unknown>;
    expect(content).toMatchObject({ type: 16, filename: 'holiday plans.pdf', length: plaintext.length });
    expect(content['key']).toMatchObject({ algorithm: 'AES' }); // stored canonical: `password` is the wire's copy

    // the station keeps ciphertext only
    const stored = readdirSync(join(dir, 'station', 'files'));
    expect(stored).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.pdf$/)]);
    const onDisk = readFileSync(join(dir, 'station', 'files', stored[0]!));
    expect(onDisk.length).toBeGreaterThanOrEqual(plaintext.length);
    expect(onDisk.includes(Buffer.from('THE-PLAINTEXT-MARKER-'))).toBe(false);
    expect(onDisk.includes(Buffer.from(plaintext.subarray(0, 64)))).toBe(false);

    // bob lists and fetches it, with a plain progress display
    const listed = (await ok(['files', 'list', '--me', bob.file, '--home', join(dir, 'home-bob')])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(listed).toEqual([
      expect.objectContaining({ id: message['id'], direction: 'in', filename: 'holiday plans.pdf', sender: alice.id }),
    ]);
    const out = join(dir, 'downloads');
    const got = await ok([
      'files',
      'get',
      String(message['id']),
      '--out',
      `${out}/`,
      '--progress',
      'plain',
      '--me',
      bob.file,
      '--home',
      join(dir, 'home-bob'),
    ]);
    expect(JSON.parse(got.stdout)).toEqual({
      id: message['id'],
      file: join(out, 'holiday plans.pdf'),
      bytes: plaintext.length,
    });
    expect(got.stderr).toMatch(/download holiday plans\.pdf {2}\[█{20}\] 100%/);
    expect(new Uint8Array(readFileSync(join(out, 'holiday plans.pdf')))).toEqual(plaintext);
    // a second get does not overwrite: it picks a free name
    const again = await ok([
      'files',
      'get',
      String(message['id']),
      '--out',
      out,
      '--progress',
      'none',
      '--me',
      bob.file,
      '--home',
      join(dir, 'home-bob'),
    ]);
    expect(JSON.parse(again.stdout)['file']).toBe(join(out, 'holiday plans (1).pdf'));
    expect(statSync(join(out, 'holiday plans (1).pdf')).size).toBe(plaintext.length);
  }, 90_000);

  it('an image goes as an image content with a JPEG thumbnail made from the PNG', async () => {
    const dir = tempDir();
    const port = await station(dir);
    const url = `ws://127.0.0.1:${port}/`;
    const alice = await identity(dir, 'alice');
    const bob = await identity(dir, 'bob');
    // a 200 × 100 RGB PNG, written with node:zlib
    const { crc32, deflateSync } = await import('node:zlib');
    const chunk = (type: string, body: Buffer) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length);
      const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(typed));
      return Buffer.concat([head, typed, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(200, 0);
    ihdr.writeUInt32BE(100, 4);
    ihdr[8] = 8;
    ihdr[9] = 2;
    const rows = Buffer.concat(
      Array.from({ length: 100 }, (_, y) => Buffer.concat([Buffer.from([0]), Buffer.alloc(600, y * 2)])),
    );
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(rows)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    writeFileSync(join(dir, 'sky.png'), png);
    const events = await listenUntil(
      ['--station', url, '--me', bob.file, '--home', join(dir, 'home-bob')],
      (e) => e['event'] === 'message',
      async () => {
        await ok([
          'send',
          '--station',
          url,
          '--me',
          alice.file,
          '--home',
          join(dir, 'home-alice'),
          '--to',
          bob.id,
          '--file',
          join(dir, 'sky.png'),
        ]);
      },
    );
    const content = events.find((e) => e['event'] === 'message')!['content'] as Record<string, unknown>;
    expect(content).toMatchObject({ type: 18, filename: 'sky.png', length: png.length });
    const thumbnail = content['thumbnail'] as string;
    expect(thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    const jpeg = Buffer.from(thumbnail.slice(thumbnail.indexOf(',') + 1), 'base64');
    expect([...jpeg.subarray(0, 2), ...jpeg.subarray(-2)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    expect([jpeg.readUInt16BE(sof + 7), jpeg.readUInt16BE(sof + 5)]).toEqual([128, 64]); // width, height
  }, 60_000);

  it('a file over the station limit fails with file.too_large (exit 1, one line) and the message is not sent', async () => {
    const dir = tempDir();
    const port = await station(dir, { files: { maxBytes: 100_000 } });
    const alice = await identity(dir, 'alice');
    const bob = await identity(dir, 'bob');
    writeFileSync(join(dir, 'big.bin'), randomBytes(150_000));
    const home = join(dir, 'home-alice');
    const args = ['send', '--station', `ws://127.0.0.1:${port}/`, '--me', alice.file, '--home', home, '--to', bob.id];
    const result = await run([...args, '--file', join(dir, 'big.bin'), '--progress', 'none']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^dim: file\.too_large: .*too large\n$/);
    expect(readdirSync(join(dir, 'station', 'files'))).toEqual([]);
    // nothing went into the outbox: the next send carries only its own message
    const missing = await run([...args, '--file', join(dir, 'nope.bin')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^dim: cli\.file: cannot read .*nope\.bin: ENOENT\n$/);
    const both = await run([...args, '--file', join(dir, 'big.bin'), '--text', 'x']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/cli\.usage/);
    const listed = await ok(['files', 'list', '--me', alice.file, '--home', home]);
    expect(listed.stdout).toBe('');
  }, 60_000);
});

describe('dim contacts and dim id export|import', () => {
  it('adds contacts from the station and from a contact card, names them, lists them, chats by name', async () => {
    const dir = tempDir();
    const port = await station(dir);
    const url = `ws://127.0.0.1:${port}/`;
    const alice = await identity(dir, 'alice');
    const bob = await identity(dir, 'bob');
    const carol = await identity(dir, 'carol');
    const homeA = join(dir, 'home-alice');

    // bob has been online once, so the station knows his meta and visa
    await listenUntil(
      ['--station', url, '--me', bob.file, '--home', join(dir, 'home-bob')],
      (e) => e['state'] === 'running',
    );
    const added = await ok([
      'contacts',
      'add',
      bob.id,
      '--name',
      'bobby',
      '--station',
      url,
      '--me',
      alice.file,
      '--home',
      homeA,
    ]);
    expect(JSON.parse(added.stdout)).toEqual({
      id: bob.id,
      name: 'bobby',
      visaName: 'bob',
      type: 'user',
      source: 'station',
    });

    // carol was never online: no station knows her; her public card works offline
    const unknown = await run([
      'contacts',
      'add',
      carol.id,
      '--station',
      url,
      '--timeout',
      '5',
      '--me',
      alice.file,
      '--home',
      homeA,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^dim: meta\.missing: /);
    const card = join(dir, 'carol-card.json');
    const exported = await ok([
      'id',
      'export',
      '--public',
      '--out',
      card,
      '--me',
      carol.file,
      '--home',
      join(dir, 'home-carol'),
    ]);
    expect(JSON.parse(exported.stdout)).toEqual({ id: carol.id, file: card, public: true });
    const cardJson = JSON.parse(readFileSync(card, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(cardJson).sort()).toEqual(['id', 'meta', 'visa']);
    expect(statSync(card).mode & 0o777).toBe(0o644);
    const fromCard = await ok(['contacts', 'add', card, '--me', alice.file, '--home', homeA]);
    expect(JSON.parse(fromCard.stdout)).toEqual({ id: carol.id, visaName: 'carol', type: 'user', source: 'file' });

    const list = (await ok(['contacts', 'list', '--me', alice.file, '--home', homeA])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(list).toEqual([
      { id: bob.id, name: 'bobby', visaName: 'bob', type: 'user', inBook: true, known: true },
      { id: carol.id, visaName: 'carol', type: 'user', inBook: true, known: true },
    ]);
    const all = (await ok(['contacts', 'list', '--all', '--me', alice.file, '--home', homeA])).stdout;
    expect(all).toMatch(/"type":"station","inBook":false,"known":true/);

    // names are unique in a profile, and an unknown name is not an ID
    const taken = await run(['contacts', 'add', carol.id, '--name', 'BOBBY', '--me', alice.file, '--home', homeA]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^dim: cli\.usage: the name BOBBY is taken/);
    const noSuch = await run(['chat', 'nobody', '--station', url, '--me', alice.file, '--home', homeA], {});
    expect(noSuch.code).toBe(1);
    expect(noSuch.stderr).toMatch(/^dim: id\.syntax: "nobody" is neither an ID nor the name of a contact/);
  }, 60_000);

  it('exports a profile identity and imports it into another profile directory, locked by DIM_PASSPHRASE', async () => {
    const dir = tempDir();
    const alice = await identity(dir, 'alice');
    const homeA = join(dir, 'home-a');
    // a profile made with a passphrase: no --me needed afterwards
    await ok(['contacts', 'list', '--me', alice.file, '--home', homeA], { DIM_PASSPHRASE: 'pass one' });
    const out = join(dir, 'alice-export.json');
    const exported = await ok(['id', 'export', '--out', out, '--home', homeA], { DIM_PASSPHRASE: 'pass one' });
    expect(JSON.parse(exported.stdout)).toEqual({ id: alice.id, file: out, public: false });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const original = JSON.parse(readFileSync(alice.file, 'utf8')) as Record<string, unknown>;
    const copy = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(copy['id']).toBe(original['id']);
    expect(copy['privateKey']).toEqual(original['privateKey']);
    expect(copy['meta']).toEqual(original['meta']);
    // refuses to overwrite
    expect((await run(['id', 'export', '--out', out, '--home', homeA], { DIM_PASSPHRASE: 'pass one' })).code).toBe(1);
    // the wrong passphrase does not unlock it
    const wrong = await run(['id', 'export', '--out', join(dir, 'x.json'), '--home', homeA], {
      DIM_PASSPHRASE: 'nope',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/client\.passphrase/);

    const homeB = join(dir, 'home-b');
    const refused = await run(['id', 'import', out, '--home', homeB]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^dim: client\.passphrase: set DIM_PASSPHRASE/);
    expect(existsSync(homeB) ? readdirSync(homeB) : []).toEqual([]);
    const imported = await ok(['id', 'import', out, '--home', homeB], { DIM_PASSPHRASE: 'pass two' });
    const { profile } = JSON.parse(imported.stdout) as { profile: string };
    expect(profile).toBe(join(homeB, `${alice.id}.db`));
    // the imported profile opens without the identity file, and holds the same identity
    const back = join(dir, 'alice-back.json');
    await ok(['id', 'export', '--out', back, '--home', homeB], { DIM_PASSPHRASE: 'pass two' });
    expect(JSON.parse(readFileSync(back, 'utf8'))).toEqual(copy);
    const twice = await run(['id', 'import', out, '--home', homeB], { DIM_PASSPHRASE: 'pass two' });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/already holds the profile/);
  }, 60_000);
});
