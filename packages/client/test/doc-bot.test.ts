// The quick-start bot of docs/client.md, run as written (the built dist/: `npm test` builds first)
// against a station: a user sends it a text and gets the echo.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { nodeBackend } from '@dimkit/crypto-node';
import { createIdentity, identityToJson } from '@dimkit/protocol/account';
import { createTextContent } from '@dimkit/protocol/content';
import { Station, parseStationConfig, silentLogger } from '@dimkit/station';
import { afterAll, expect, it } from 'vitest';
import { MemoryClientStore, Messenger } from '../src/core/index.js';
import { transportForUrl } from '../src/node/index.js';
import { until } from './fake-station.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function quickStart(): string {
  const doc = readFileSync(join(ROOT, 'docs/client.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Quick start'));
  const start = section.indexOf('```js\n') + '```js\n'.length;
  return section.slice(start, section.indexOf('```', start));
}

it('the quick-start bot of docs/client.md answers a message', async () => {
  const code = quickStart();
  expect(code.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(22);
  const dir = mkdtempSync(join(tmpdir(), 'dim-doc-bot-'));
  dirs.push(dir);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'bot.mjs'), code);
  const bot = createIdentity({ name: 'echo bot', backend: nodeBackend });
  writeFileSync(join(dir, 'bot.json'), JSON.stringify(identityToJson(bot)));

  const station = new Station({
    config: parseStationConfig({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'station'), logLevel: 'silent' }),
    logger: silentLogger(),
  });
  const { port } = await station.start();
  const url = `ws://127.0.0.1:${port}/`;
  const child = spawn(process.execPath, ['bot.mjs'], {
    cwd: dir,
    env: { ...process.env, BOT_ID_FILE: 'bot.json', BOT_HOME: join(dir, 'home'), STATION_URL: url, DIM_PASSPHRASE: '' },
  });
  const lines: string[] = [];
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const alice = createIdentity({ name: 'alice', backend: nodeBackend });
  const messenger = new Messenger({
    identity: alice,
    store: new MemoryClientStore(),
    transport: transportForUrl(url),
    backend: nodeBackend,
  });
  try {
    await until(() => lines.includes('state: running'), 15_000, `the bot running (${stderr})`);
    const answers: string[] = [];
    messenger.on('message', ({ message }) => answers.push(message.content['text'] as string));
    await messenger.start();
    await messenger.send(bot.id.text, createTextContent('hi bot'));
    await until(() => answers.length === 1, 15_000, 'the echo');
    expect(answers).toEqual(['echo: hi bot']);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await messenger.stop();
    await station.stop();
  }
}, 60_000);
