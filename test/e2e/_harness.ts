// End-to-end harness for the web client: a real station as a child process (the built `dim station`,
// which serves the built app), Debian's chromium driven by playwright-core, and `dim` CLI users.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIM = join(ROOT, 'packages/client/dist/cli/main.js');
export const WEB_INDEX = join(ROOT, 'packages/web/dist/index.html');
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Why the browser suite cannot run here, or undefined. In CI a missing piece is a failure, not a skip. */
export function missingPrerequisite(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(DIM) || !existsSync(WEB_INDEX)) return 'the build is missing (npm run build)';
  return undefined;
}

export interface StationProcess {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly log: string[];
  /** Stops the process (SIGTERM, drained) but keeps its data directory. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data (after `kill`). */
  restart(): Promise<void>;
  /** Stops it and deletes its data directory. */
  stop(): Promise<void>;
}

async function spawnStation(
  dataDir: string,
  port: number,
  log: string[],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [DIM, 'station', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const bound = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`station did not start:\n${log.join('\n')}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (text) => {
      log.push(text);
      try {
        const entry = JSON.parse(text) as { msg?: string; port?: number };
        if (entry.msg === 'station listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`station exited with ${code}:\n${log.join('\n')}`));
    });
  });
  return { child, port: bound };
}

/** Starts `dim station` on a free port with a fresh data directory; resolves once it listens. */
export async function startStation(): Promise<StationProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dimkit-e2e-station-'));
  const log: string[] = [];
  let { child, port } = await spawnStation(dataDir, 0, log);
  return {
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/`,
    port,
    dataDir,
    log,
    kill: () => stopChild(child),
    restart: async () => {
      await stopChild(child);
      ({ child, port } = await spawnStation(dataDir, port, log));
    },
    stop: async () => {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The launch flags of the issue: headless, no sandbox (containers), no background traffic. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WebUser {
  readonly name: string;
  readonly passphrase: string;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly id: string;
  /** Page errors and console errors seen so far (a test asserts there are none). */
  readonly errors: string[];
}

/** A fresh browser context (its own IndexedDB), with errors collected. */
export async function openPage(
  browser: Browser,
  url: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, colorScheme: 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { context, page, errors };
}

/** Creates an identity in a new browser context and waits until it is online. */
export async function createWebUser(browser: Browser, url: string, name: string): Promise<WebUser> {
  const { context, page, errors } = await openPage(browser, url);
  const passphrase = `${name.toLowerCase()} passphrase`;
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('Repeat passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Create identity' }).click();
  await waitOnline(page);
  const id = (await page.locator('.me .mono').first().textContent())!.trim();
  return { name, passphrase, context, page, id, errors };
}

export async function waitOnline(page: Page): Promise<void> {
  await page.locator('.conn[data-state="running"]').waitFor({ timeout: 60_000 });
}

/** Unlocks the (only or first) stored identity after a reload. */
export async function unlock(page: Page, passphrase: string): Promise<void> {
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await waitOnline(page);
}

export async function addContact(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: '+ Add contact' }).click();
  await page.getByLabel('Their DIM ID').fill(id);
  await page.getByRole('button', { name: 'Add contact', exact: true }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached', timeout: 30_000 });
}

export async function openConversation(page: Page, id: string): Promise<void> {
  await page.locator(`.conv[data-conversation="${id}"]`).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

export async function sendText(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await page.locator('.msg.out .text', { hasText: text }).last().waitFor();
}

/** The state of our newest message with this text (pending, sent, cached, delivered, read, failed). */
export function outgoingState(page: Page, text: string): Promise<string | undefined> {
  return page
    .locator('.msg.out', { has: page.locator('.text', { hasText: text }) })
    .last()
    .evaluate((el) => (el as HTMLElement).dataset['state']);
}

export async function waitForOutgoingState(page: Page, text: string, states: readonly string[]): Promise<string> {
  const selector = states.map((s) => `.msg.out[data-state="${s}"]`).join(', ');
  await page
    .locator(selector, { has: page.locator('.text', { hasText: text }) })
    .last()
    .waitFor({ timeout: 30_000 });
  return (await outgoingState(page, text))!;
}

export async function waitForIncoming(page: Page, text: string): Promise<void> {
  await page.locator('.msg.in .text', { hasText: text }).last().waitFor({ timeout: 30_000 });
}

export function expectNoErrors(user: { errors: string[] }): void {
  // A failed WebSocket while the station restarts is logged by the browser itself; nothing else may be.
  expect(user.errors.filter((e) => !e.includes('WebSocket connection'))).toEqual([]);
}
