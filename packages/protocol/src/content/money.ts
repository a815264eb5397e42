import type { JsonObject } from '../encoding/json.js';
import { checkId, checkNumber, checkString, type Check } from './_check.js';
import { createContent, requireArgString, type Content, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/** Money (type 0x40, wire spec §5): `currency` (e.g. "USD") and `amount` (float). */
export type MoneyContent = Content & {
  readonly type: typeof ContentType.MONEY | typeof ContentType.TRANSFER;
  readonly currency: string;
  readonly amount: number;
};

/** Transfer (type 0x41): money fields + `remitter`, `remittee` (IDs). */
export type TransferContent = MoneyContent & {
  readonly type: typeof ContentType.TRANSFER;
  readonly remitter?: string;
  readonly remittee?: string;
};

function moneyFields(currency: string, amount: number) {
  requireArgString(currency, 'currency');
  if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new RangeError('amount: expected a finite number');
  return { currency, amount };
}

export function createMoneyContent(
  fields: { readonly currency: string; readonly amount: number },
  options: ContentOptions = {},
): MoneyContent {
  return createContent(ContentType.MONEY, moneyFields(fields.currency, fields.amount), options) as MoneyContent;
}

export function createTransferContent(
  fields: {
    readonly currency: string;
    readonly amount: number;
    readonly remitter?: string;
    readonly remittee?: string;
  },
  options: ContentOptions = {},
): TransferContent {
  const money = moneyFields(fields.currency, fields.amount);
  return createContent(
    ContentType.TRANSFER,
    { ...money, remitter: fields.remitter, remittee: fields.remittee },
    options,
  ) as TransferContent;
}

/** Money or transfer. */
export function isMoneyContent(content: Content): content is MoneyContent {
  return content.type === ContentType.MONEY || content.type === ContentType.TRANSFER;
}

export function isTransferContent(content: Content): content is TransferContent {
  return content.type === ContentType.TRANSFER;
}

export function checkMoney(ck: Check, json: JsonObject): void {
  checkString(ck, json, 'currency', true);
  checkNumber(ck, json, 'amount', true);
  if (json['type'] === ContentType.TRANSFER) {
    checkId(ck, json, 'remitter');
    checkId(ck, json, 'remittee');
  }
}
