// A long conversation stays light: the message list renders only what is near the viewport, pages
// older messages in from IndexedDB as the user scrolls up, and separates days.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addContact,
  createWebUser,
  expectNoErrors,
  launchBrowser,
  missingPrerequisite,
  openConversation,
  sendText,
  startStation,
  unlock,
  waitForIncoming,
  type StationProcess,
  type WebUser,
} from './_harness.js';

const missing = missingPrerequisite();
if (missing !== undefined && process.env['CI']) throw new Error(`web e2e: ${missing}`);

const COUNT = 3000;

describe.skipIf(missing !== undefined)('web client: a long conversation', () => {
  let station: StationProcess;
  let browser: Browser;
  let alice: WebUser;
  let bob: WebUser;

  beforeAll(async () => {
    station = await startStation();
    browser = await launchBrowser();
    [alice, bob] = await Promise.all([
      createWebUser(browser, station.url, 'Alice'),
      createWebUser(browser, station.url, 'Bob'),
    ]);
    await addContact(alice.page, bob.id);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  it(
    'renders a few dozen rows of thousands and pages older ones in while scrolling up',
    { timeout: 120_000 },
    async () => {
      // History as the store keeps it (schema of IndexedDbClientStore), ten days of it, written directly.
      await alice.page.evaluate(
        async ({ me, peer, count }) => {
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const req = indexedDB.open(`dimkit:${me}`);
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => reject(req.error);
          });
          const tx = db.transaction(['messages', 'conversations'], 'readwrite');
          const messages = tx.objectStore('messages');
          const now = Date.now() / 1000 - 3600;
          let last = 0;
          for (let i = 1; i <= count; i++) {
            const out = i % 3 === 0;
            const time = now - (count - i) * 290;
            const req = messages.add({
              conversation: peer,
              direction: out ? 'out' : 'in',
              incoming: out ? 0 : 1,
              sender: out ? me : peer,
              receiver: out ? peer : me,
              time,
              content: { type: 1, sn: i, time, text: `History message ${i}${i % 7 === 0 ? '\n(a second line)' : ''}` },
              signature: `history-${i}`,
              state: out ? 'read' : 'delivered',
              read: true,
            });
            req.onsuccess = () => (last = req.result as number);
          }
          await new Promise((resolve) => (tx.oncomplete = resolve));
          const tx2 = db.transaction('conversations', 'readwrite');
          tx2.objectStore('conversations').put({ id: peer, lastMessageId: last, lastTime: now, count, unread: 0 });
          await new Promise((resolve) => (tx2.oncomplete = resolve));
          db.close();
        },
        { me: alice.id, peer: bob.id, count: COUNT },
      );
      await alice.page.reload();
      await unlock(alice.page, alice.passphrase);
      const started = Date.now();
      await openConversation(alice.page, bob.id);
      await alice.page.locator('.msg .text', { hasText: `History message ${COUNT}` }).waitFor();
      const openMs = Date.now() - started;

      const rows = () => alice.page.locator('.vrow').count();
      expect(await rows()).toBeLessThan(80);
      expect(openMs).toBeLessThan(5000);

      // Scroll to the top again and again: older pages come in, the DOM stays small.
      const list = alice.page.getByRole('log', { name: /Messages with/ });
      for (let i = 0; i < 200; i++) {
        if ((await alice.page.locator('.msg .text', { hasText: /^History message 1$/ }).count()) > 0) break;
        await list.evaluate((el) => (el.scrollTop = 0));
        await alice.page.waitForTimeout(40);
      }
      await alice.page.locator('.msg .text', { hasText: /^History message 1$/ }).waitFor({ timeout: 5000 });
      expect(await rows()).toBeLessThan(80);
      // Ten days of history: at the top, the separator names a date, not "Today".
      const firstDay = (await alice.page.locator('.day').first().textContent())!;
      expect(firstDay).not.toBe('Today');
      expect(firstDay).toMatch(/\d{4}/);

      // Keyboard: the list is focusable and End scrolls to the newest message.
      await list.focus();
      await alice.page.keyboard.press('End');
      await alice.page.locator('.msg .text', { hasText: `History message ${COUNT}` }).waitFor({ timeout: 5000 });

      // New messages still arrive at the bottom.
      await addContact(bob.page, alice.id);
      await sendText(bob.page, 'a new message below thousands');
      await waitForIncoming(alice.page, 'a new message below thousands');
      expectNoErrors(alice);
    },
  );
});
