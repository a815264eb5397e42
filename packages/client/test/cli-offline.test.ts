// `dim` run as a process (the built dist/: `npm test` builds first) on the reference vector files.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR, vectorMessages } from '../../../test/fixtures/vectors.js';

const DIM = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function dim(args: string[], input?: string): Promise<Result> {
  const child = run(process.execPath, [DIM, ...args], { maxBuffer: 16 << 20 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  } else {
    child.child.stdin!.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Runs jobs two at a time (the machines have two cores). */
async function inPairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < jobs.length; i += 2)
    results.push(...(await Promise.all(jobs.slice(i, i + 2).map((job) => job()))));
  return results;
}

const vector = (path: string) => join(VECTORS_DIR, path);
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'gate', 'robot'];

describe('dim msg open on every reference vector', () => {
  it('opens each message for its readers with the recorded content, and refuses where recorded', async () => {
    const cases = vectorMessages().flatMap((message) =>
      message.readers.map((reader) => async () => {
        const args = ['msg', 'open', '--me', vector(reader.user)];
        if (!message.senderAttachedInMessage) args.push('--from', vector(message.from));
        if (message.to?.startsWith('groups/')) args.push('--group', vector(message.to));
        const result = await dim(args, message.wire);
        return { message, reader, result };
      }),
    );
    const results = await inPairs(cases);
    expect(results.length).toBeGreaterThanOrEqual(40);
    for (const { message, reader, result } of results) {
      const label = `${message.name} for ${reader.user}`;
      if (reader.expect.ok) {
        expect(result.code, `${label}: ${result.stderr}`).toBe(0);
        const instant = JSON.parse(result.stdout);
        expect(instant.sender, label).toBe(message.instant['sender']);
        expect(instant.content.sn, label).toBe(reader.expect.content!['sn']);
        for (const field of ['text', 'URL', 'filename', 'title', 'app']) {
          if (reader.expect.content![field] !== undefined)
            expect(instant.content[field], label).toEqual(reader.expect.content![field]);
        }
      } else {
        expect(result.code, label).toBe(1);
        expect(result.stdout, label).toBe('');
        expect(result.stderr.trim().split('\n'), label).toHaveLength(1);
        expect(result.stderr, label).toMatch(/^dim: (signature\.invalid|message\.receiver)/);
      }
    }
  }, 120_000);
});

describe('dim msg seal for the vector identities', () => {
  it('every pair of identities: what dim seals, dim opens with the same text', async () => {
    const pairs = USERS.flatMap((from) => USERS.filter((to) => to !== from).map((to) => [from, to] as const));
    const results = await inPairs(
      pairs.map(([from, to]) => async () => {
        const text = `${from} to ${to}: ${'é漢'.repeat(3)}`;
        const sealed = await dim([
          'msg',
          'seal',
          '--from',
          vector(`users/${from}.json`),
          '--to',
          vector(`users/${to}.json`),
          '--text',
          text,
        ]);
        const opened = await dim(
          ['msg', 'open', '--me', vector(`users/${to}.json`), '--from', vector(`users/${from}.json`)],
          sealed.stdout,
        );
        return { from, to, text, sealed, opened };
      }),
    );
    for (const { from, to, text, sealed, opened } of results) {
      expect(sealed.code, `${from}→${to}: ${sealed.stderr}`).toBe(0);
      expect(opened.code, `${from}→${to}: ${opened.stderr}`).toBe(0);
      expect(JSON.parse(opened.stdout).content.text).toBe(text);
    }
  }, 180_000);

  it('seals for the vector group and each member opens it; a non-member cannot', async () => {
    const members = ['alice', 'bob', 'carol', 'dave'].flatMap((name) => ['--member', vector(`users/${name}.json`)]);
    const sealed = await dim([
      'msg',
      'seal',
      '--from',
      vector('users/alice.json'),
      '--group',
      vector('groups/group1.json'),
      ...members,
      '--text',
      'to the group',
    ]);
    expect(sealed.code, sealed.stderr).toBe(0);
    for (const name of ['bob', 'carol', 'dave']) {
      const opened = await dim(
        [
          'msg',
          'open',
          '--me',
          vector(`users/${name}.json`),
          '--from',
          vector('users/alice.json'),
          '--group',
          vector('groups/group1.json'),
        ],
        sealed.stdout,
      );
      expect(opened.code, opened.stderr).toBe(0);
      expect(JSON.parse(opened.stdout).content.group).toBe('Group-1024@WDmgoRT19UnyZGtARQunLtYaJ1GiAD913');
    }
    const outsider = await dim(
      ['msg', 'open', '--me', vector('users/erin.json'), '--from', vector('users/alice.json')],
      sealed.stdout,
    );
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toMatch(/^dim: message\.receiver/);
  }, 60_000);

  it('a broadcast with attached meta and visa opens without --from', async () => {
    const sealed = await dim([
      'msg',
      'seal',
      '--from',
      vector('users/bob.json'),
      '--broadcast',
      'everyone@everywhere',
      '--text',
      'hello all',
      '--attach',
    ]);
    const message = JSON.parse(sealed.stdout);
    expect(message.key).toBeUndefined();
    expect(JSON.parse(message.data).text).toBe('hello all');
    const opened = await dim(['msg', 'open', '--me', vector('users/carol.json')], sealed.stdout);
    expect(opened.code, opened.stderr).toBe(0);
  });
});

describe('dim id, group and doc commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dim-cli-'));

  it('creates identities of every kind that check out, and refuses to overwrite', async () => {
    for (const [type, entity] of [
      ['eth', 'user'],
      ['mkm', 'user'],
      ['btc', 'user'],
      ['mkm', 'station'],
      ['btc', 'bot'],
    ]) {
      const out = join(dir, `${type}-${entity}.json`);
      const made = await dim([
        'id',
        'new',
        '--type',
        type!,
        '--entity',
        entity!,
        '--name',
        'Test Person',
        '--out',
        out,
      ]);
      expect(made.code, made.stderr).toBe(0);
      const file = JSON.parse(readFileSync(out, 'utf8'));
      expect(Object.keys(file).sort()).toEqual(
        type === 'mkm' ? ['id', 'meta', 'privateKey', 'visa'] : ['id', 'meta', 'privateKey', 'visa', 'visaPrivateKey'],
      );
      const check = await dim(['id', 'check', file.id, '--meta', out]);
      expect(JSON.parse(check.stdout)).toMatchObject({
        valid: true,
        metaMatches: true,
        isGroup: false,
        ...(entity === 'station' ? { type: 2 } : {}),
      });
      const doc = await dim(['doc', 'verify', '--doc', out, '--meta', out]);
      expect(JSON.parse(doc.stdout)).toMatchObject({ valid: true, type: 'visa', did: file.id });
    }
    const again = await dim(['id', 'new', '--out', join(dir, 'eth-user.json')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^dim: cli\.file: .*exists/);
  }, 60_000);

  it('refuses an ETH station and an unknown type with a usage error', async () => {
    expect(
      (await dim(['id', 'new', '--type', 'eth', '--entity', 'station', '--out', join(dir, 'x.json')])).stderr,
    ).toMatch(/cli\.usage/);
    expect((await dim(['id', 'new', '--type', 'rsa', '--out', join(dir, 'y.json')])).stderr).toMatch(/cli\.usage/);
  });

  it('checks IDs against the vector verdicts', async () => {
    const checks = JSON.parse(readFileSync(vector('checks/ids.json'), 'utf8')) as {
      input: string;
      expected: { valid: boolean };
    }[];
    for (const { input, expected } of checks.slice(0, 12)) {
      const result = await dim(['id', 'check', String(input)]);
      expect(JSON.parse(result.stdout).valid, String(input)).toBe(expected.valid);
      expect(result.code).toBe(expected.valid ? 0 : 1);
    }
  }, 60_000);

  it('a tampered document fails verification with a JSON verdict', async () => {
    const bob = JSON.parse(readFileSync(vector('users/bob.json'), 'utf8'));
    bob.visa.data = bob.visa.data.replace('Bob', 'Rob');
    const path = join(dir, 'tampered.json');
    writeFileSync(path, JSON.stringify(bob));
    const result = await dim(['doc', 'verify', '--doc', path, '--meta', vector('users/bob.json')]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).valid).toBe(false);
  });

  it('creates a group whose file opens messages sealed for it', async () => {
    const out = join(dir, 'group.json');
    const made = await dim([
      'group',
      'new',
      '--founder',
      vector('users/alice.json'),
      '--name',
      'Crew',
      '--member',
      vector('users/bob.json'),
      '--member',
      'dave@1LWC7zgMFNMSwfhGCdnSVgjg7kApFLkXgV',
      '--out',
      out,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const group = JSON.parse(readFileSync(out, 'utf8'));
    expect(group.members).toEqual([
      'alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn',
      '0x45FDd9162982319eaB94880Cc2836C4AFC1a57a1',
      'dave@1LWC7zgMFNMSwfhGCdnSVgjg7kApFLkXgV',
    ]);
    expect(group.founder).toBe('alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn');
    const doc = await dim(['doc', 'verify', '--doc', out, '--meta', out]);
    expect(JSON.parse(doc.stdout)).toMatchObject({ valid: true, type: 'bulletin' });
  });

  it('reports unreadable input on one line with exit 1', async () => {
    const result = await dim(['msg', 'open', '--me', vector('users/bob.json')], '{"not": "a message"');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^dim: encoding\.json/);
  });
});
