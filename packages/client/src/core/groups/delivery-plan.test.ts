import { describe, expect, it } from 'vitest';
import { commandRecipients, GROUP_SPLIT_MEMBERS, planGroupDelivery } from './delivery-plan.js';

const members = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

describe('planGroupDelivery', () => {
  it('sends per member below 16 members, one split message from 16 on (wire spec §4.8)', () => {
    expect(GROUP_SPLIT_MEMBERS).toBe(16);
    expect(planGroupDelivery({ members: members(15), assistants: [], me: 'm0' })).toEqual({
      mode: 'personal',
      recipients: members(15).slice(1),
    });
    expect(planGroupDelivery({ members: members(16), assistants: [], me: 'm0' })).toEqual({
      mode: 'split',
      recipients: members(16).slice(1),
    });
    expect(planGroupDelivery({ members: members(3), assistants: [], me: 'm0', splitAt: 3 }).mode).toBe('split');
  });

  it('goes through the first assistant when the bulletin names one, whatever the size', () => {
    const plan = planGroupDelivery({ members: [...members(3), 'bot'], assistants: ['bot', 'bot2'], me: 'm1' });
    expect(plan).toEqual({ mode: 'assistant', recipients: ['m0', 'm2'], assistant: 'bot' });
  });

  it('an assistant sending to its own group does not pick itself', () => {
    expect(planGroupDelivery({ members: members(3), assistants: ['m0'], me: 'm0' }).mode).toBe('personal');
  });

  it('lists each recipient once and never the sender', () => {
    const plan = planGroupDelivery({ members: ['a', 'b', 'a', 'me'], assistants: [], me: 'me' });
    expect(plan.recipients).toEqual(['a', 'b']);
  });

  it('refuses a split size below 1 (a caller bug)', () => {
    expect(() => planGroupDelivery({ members: [], assistants: [], me: 'x', splitAt: 0 })).toThrow(RangeError);
  });
});

describe('commandRecipients', () => {
  it('commands go to the assistants when there are some', () => {
    expect(commandRecipients({ members: ['me', 'a'], assistants: ['bot'], me: 'me', extra: ['gone'] })).toEqual([
      'bot',
    ]);
  });

  it('else to every member and the extra ones (members just removed), never the sender', () => {
    expect(commandRecipients({ members: ['me', 'a', 'b'], assistants: [], me: 'me', extra: ['gone', 'a'] })).toEqual([
      'a',
      'b',
      'gone',
    ]);
  });
});
