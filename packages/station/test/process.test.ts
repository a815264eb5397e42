// `dim station` as a real process: flags and config file, health and metrics, SIGTERM drain, and the durable
// inbox surviving SIGKILL.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTextContent } from '@dimkit/protocol/content';
import { DimTestClient } from '../../../test/helpers/dim-client.js';
import { spawnStation, type StationProcess } from './_cli.js';
import { contactOf, login, tempDir, user } from './_harness.js';

const dirs: string[] = [];
const children: StationProcess[] = [];

function dataDir(): string {
  const dir = tempDir('dim-station-process-');
  dirs.push(dir);
  return dir;
}

async function run(args: string[]): Promise<{ proc: StationProcess; port: number }> {
  const proc = await spawnStation(args);
  children.push(proc);
  return { proc, port: await proc.listening };
}

afterAll(() => {
  for (const proc of children) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('dim station (the process)', () => {
  it('starts from flags and a config file, serves /healthz and /metrics, and drains on SIGTERM with exit code 0', async () => {
    const dir = dataDir();
    const config = join(dir, 'station.json');
    writeFileSync(config, JSON.stringify({ port: 1, advertise: { name: 'test station' }, logLevel: 'info' }));
    const { proc, port } = await run(['--config', config, '--host', '127.0.0.1', '--port', '0', '--data-dir', dir]);
    expect(port).toBeGreaterThan(1); // the flag overrides the file
    const alice = await login(port, 'alice');
    const station = alice.station!;
    expect(station.visa!.properties['name']).toBe('test station');
    expect(station.visa!.properties['port']).toBe(port);
    alice.addContact(contactOf(user('bob')));
    alice.sendContent(user('bob').id.text, createTextContent('a secret for bob'));
    await alice.nextReceipt('Message cached.');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', id: station.id.text, users: 1 });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/dim_station_messages_received_total\{kind="relay"\} 1/);
    expect(metrics).toMatch(/dim_station_inbox_depth 1/);
    expect(metrics).toMatch(/dim_transport_connections\{transport="ws"\} 1/);

    proc.child.kill('SIGTERM');
    await alice.closedPromise;
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const messages = proc.lines.map((line) => line['msg']);
    expect(messages).toContain('station identity created');
    expect(messages).toContain('station stopped');
    // Logs are JSON lines without private keys or message plaintext.
    const log = JSON.stringify(proc.lines);
    expect(log).not.toMatch(/PRIVATE KEY/);
    expect(log).not.toContain('a secret for bob');

    // The identity made on first start is reused.
    const second = await run(['--host', '127.0.0.1', '--port', '0', '--data-dir', dir]);
    const again = await login(second.port, 'alice');
    expect(again.station!.id.text).toBe(station.id.text);
    await again.close();
    second.proc.child.kill('SIGTERM');
    expect((await second.proc.exited).code).toBe(0);
    expect(second.proc.lines.map((line) => line['msg'])).not.toContain('station identity created');
  });

  it('rejects bad options with a one-line error and exit code 1', async () => {
    const proc = await spawnStation(['--port', '70000']);
    children.push(proc);
    await expect(proc.listening).rejects.toThrow();
    expect((await proc.exited).code).toBe(1);
    expect(proc.stderr()).toMatch(/^dim: cli\.usage: --port/);
  });

  it('keeps every cached message through a SIGKILL and delivers each exactly once, in order, after restart', async () => {
    const dir = dataDir();
    const args = ['--host', '127.0.0.1', '--port', '0', '--data-dir', dir];
    const first = await run(args);
    const alice = await login(first.port, 'alice', 'mtp');
    const carol = user('carol');
    alice.addContact(contactOf(carol));
    const cached: string[] = [];
    const sent: string[] = [];
    let receipts = 0;
    // Count every "Message cached." receipt as it arrives, by the signature it is about.
    const collect = (async () => {
      for (;;) {
        const receipt = await alice.nextReceipt('Message cached.', 60_000).catch(() => undefined);
        if (receipt === undefined) return;
        cached.push(String((receipt.content['origin'] as Record<string, unknown>)['signature']));
        receipts++;
      }
    })();
    for (let i = 0; i < 40; i++)
      sent.push(alice.sendContent(carol.id.text, createTextContent(`kept ${i}`)).message.signature);
    while (receipts < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    // A second wave: the process dies while some of these are still being written.
    for (let i = 40; i < 80; i++)
      sent.push(alice.sendContent(carol.id.text, createTextContent(`wave ${i}`)).message.signature);
    while (receipts < 45) await new Promise((resolve) => setTimeout(resolve, 1));
    first.proc.child.kill('SIGKILL');
    expect((await first.proc.exited).signal).toBe('SIGKILL');
    await alice.closedPromise;
    await collect;
    const confirmed = new Set(cached);
    expect(confirmed.size).toBeGreaterThanOrEqual(45);

    const second = await run(args);
    const client = await DimTestClient.login({ port: second.port, identity: carol, transport: 'ws' });
    client.addContact(contactOf(alice.identity));
    const got: string[] = [];
    try {
      // Everything confirmed arrives; then wait a little for stragglers (unconfirmed but committed).
      while (!Array.from(confirmed).every((sig) => got.includes(sig))) {
        got.push((await client.nextFrom(alice.me, 15_000)).message.signature);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const extra of client.inbox.filter((m) => m.message.sender === alice.me)) got.push(extra.message.signature);
    } finally {
      await client.close();
    }
    expect(new Set(got).size).toBe(got.length); // exactly once
    const order = got.map((sig) => sent.indexOf(sig));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order); // in the order sent
    for (const sig of confirmed) expect(got).toContain(sig);

    // Acknowledged messages are gone: a new login receives nothing.
    const later = await DimTestClient.login({ port: second.port, identity: carol, transport: 'mtp' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(later.inbox.filter((m) => m.message.sender === alice.me)).toHaveLength(0);
    await later.close();
    second.proc.child.kill('SIGTERM');
    expect((await second.proc.exited).code).toBe(0);
  }, 60_000);
});
