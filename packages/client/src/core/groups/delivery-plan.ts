/** From this many members on, a group message is sealed once with a `keys` map (wire spec §4.8). */
export const GROUP_SPLIT_MEMBERS = 16;

/**
 * How a group message leaves (wire spec §4.8, station spec §3.3):
 * - `personal`: one personal message per member, each sealed for it (`content.group` set);
 * - `split`: sealed once for the group (`keys` for every member), then one copy per member;
 * - `assistant`: sealed once for the group and wrapped in a forward content to one assistant bot,
 *   which splits it.
 * `recipients` are the members the message is for (never the sender, never the bot).
 */
export type GroupDeliveryPlan =
  | { readonly mode: 'personal'; readonly recipients: readonly string[] }
  | { readonly mode: 'split'; readonly recipients: readonly string[] }
  | { readonly mode: 'assistant'; readonly recipients: readonly string[]; readonly assistant: string };

export interface GroupDeliveryInput {
  /** Every member, the sender included (the group's size decides). */
  readonly members: readonly string[];
  /** The bulletin's assistants (bots). */
  readonly assistants: readonly string[];
  /** The sender. */
  readonly me: string;
  /** Default GROUP_SPLIT_MEMBERS. */
  readonly splitAt?: number;
}

/** The reference clients' choice (wire spec §4.8): a bot if the bulletin names one, else by size. */
export function planGroupDelivery(input: GroupDeliveryInput): GroupDeliveryPlan {
  const splitAt = input.splitAt ?? GROUP_SPLIT_MEMBERS;
  if (!Number.isInteger(splitAt) || splitAt < 1)
    throw new RangeError(`splitAt: expected an integer ≥ 1, got ${splitAt}`);
  const members = [...new Set(input.members)];
  const bots = new Set(input.assistants);
  const recipients = members.filter((id) => id !== input.me && !bots.has(id));
  const assistant = input.assistants.find((id) => id !== input.me);
  if (assistant !== undefined) return { mode: 'assistant', recipients, assistant };
  return members.length < splitAt ? { mode: 'personal', recipients } : { mode: 'split', recipients };
}

/**
 * Who receives a group command (the reference's GroupManager): the assistants when the bulletin
 * names some (they keep the member list and relay), else every member and `extra` (say, members
 * just removed, who must learn it too), never the sender.
 */
export function commandRecipients(input: {
  readonly members: readonly string[];
  readonly assistants: readonly string[];
  readonly me: string;
  readonly extra?: readonly string[];
}): string[] {
  const bots = input.assistants.filter((id) => id !== input.me);
  if (bots.length > 0) return [...new Set(bots)];
  return [...new Set([...input.members, ...(input.extra ?? [])])].filter((id) => id !== input.me);
}
