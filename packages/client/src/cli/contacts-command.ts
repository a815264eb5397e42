import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError, isDimError } from '@dimkit/protocol';
import { parseContact, type Contact } from '@dimkit/protocol/account';
import { documentName, documentToDict, metaToDict, parseId } from '@dimkit/protocol/mkm';
import { ContactBook } from '../core/contact-book.js';
import { DEFAULT_HOME } from '../node/profile.js';
import { readJsonFile } from './_io.js';
import { messengerFor, openProfileFrom, whenRunning, type ProfileFlags } from './_session.js';
import { addToBook, bookEntries, checkLocalName, localName } from './contacts-book.js';

interface AddOptions extends ProfileFlags {
  name?: string;
  station?: string;
  timeout: string;
}

function kindOf(id: string): string {
  const parsed = parseId(id);
  if (parsed.isGroup) return 'group';
  if (parsed.type === 2) return 'station';
  if (parsed.type === 1) return 'bot';
  return 'user';
}

/** A contact from an ID (fetched through the station, or already known) or from a contact/identity file. */
async function obtain(
  subject: string,
  options: AddOptions,
  book: ContactBook,
  store: Parameters<typeof messengerFor>[0],
) {
  if (subject.endsWith('.json') || (existsSync(subject) && !subject.includes('@'))) {
    const contact = parseContact(readJsonFile(subject, 'contact'), nodeBackend);
    const update = await book.accept(
      contact.id.text,
      metaToDict(contact.meta),
      contact.visa === undefined ? [] : [documentToDict(contact.visa)],
    );
    if (update === undefined) throw new DimError('meta.invalid', `the contact file ${subject} was not accepted`);
    return { contact: update.contact, source: 'file' };
  }
  const id = parseId(subject).text;
  if (options.station === undefined) {
    const known = await book.get(id);
    if (known === undefined) {
      throw new DimError(
        'meta.missing',
        `${id} is not known to this profile: give --station URL to fetch its meta and visa, or a contact file`,
      );
    }
    return { contact: known, source: 'profile' };
  }
  const timeoutMs = Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new DimError('cli.usage', '--timeout must be seconds > 0');
  const messenger = messengerFor(store, options.station, 'dim contacts');
  try {
    await messenger.start();
    await whenRunning(messenger, options.station, timeoutMs);
    // The meta and the visa come in two answers (wire spec §6.1, §6.2); `contact()` resolves on the first.
    let withVisa: Contact | undefined;
    const off = messenger.on('contact', ({ contact }) => {
      if (contact.id.text === id && contact.visa !== undefined) withVisa = contact;
    });
    try {
      let contact: Contact = await messenger.contact(id);
      const deadline = Date.now() + Math.min(timeoutMs, 5_000);
      while (contact.visa === undefined && withVisa === undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        contact = (await book.get(id)) ?? contact;
      }
      return { contact: withVisa ?? contact, source: 'station' };
    } finally {
      off();
    }
  } finally {
    await messenger.stop();
  }
}

export function registerContactsCommands(program: Command): void {
  const contacts = program.command('contacts').description("the profile's address book");
  const profileOptions = (command: Command) =>
    command
      .option('--me <file>', 'an identity file (its profile in --home)')
      .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
      .option('--profile <id>', 'which profile of --home, when it holds several');

  profileOptions(
    contacts
      .command('add')
      .description(
        'add a contact: an ID (its meta and visa fetched with --station) or a contact file (dim id export --public)',
      )
      .argument('<id-or-file>', 'an ID, or a file with {id, meta, visa}')
      .option('--name <name>', 'a local name, usable instead of the ID (dim chat NAME)')
      .option('--station <url>', 'fetch the meta and visa from this station')
      .option('--timeout <seconds>', 'how long to wait for the station', '30'),
  ).action(async (subject: string, options: AddOptions) => {
    if (options.name !== undefined) checkLocalName(options.name);
    const store = await openProfileFrom(options);
    try {
      const book = new ContactBook(store, nodeBackend);
      const { contact, source } = await obtain(subject, options, book, store);
      const id = contact.id.text;
      if (id === store.identity.id.text) throw new DimError('cli.usage', 'that is your own ID');
      await addToBook(store, id, options.name);
      const visaName = contact.visa === undefined ? undefined : documentName(contact.visa);
      process.stdout.write(
        `${JSON.stringify({
          id,
          ...(options.name === undefined ? {} : { name: options.name.trim() }),
          ...(visaName === undefined ? {} : { visaName }),
          type: kindOf(id),
          source,
        })}\n`,
      );
    } catch (error) {
      if (isDimError(error, 'client.timeout') && error.message.includes('no meta')) {
        throw new DimError('meta.missing', `the station did not answer for ${subject}`);
      }
      throw error;
    } finally {
      await store.close();
    }
  });

  profileOptions(
    contacts
      .command('list')
      .description('list the address book (with --all: every entity the profile knows), one JSON line each')
      .option('--all', 'every known entity: users who wrote, stations, groups, not only the address book'),
  ).action(async (options: ProfileFlags & { all?: boolean }) => {
    const store = await openProfileFrom(options);
    try {
      const book = await bookEntries(store);
      const known = new Map((await store.listContacts()).map((record) => [record.id, record]));
      const ids = options.all === true ? [...new Set([...book, ...known.keys()])] : book;
      const contactBook = new ContactBook(store, nodeBackend);
      for (const id of ids) {
        if (id === store.identity.id.text) continue;
        const contact = await contactBook.get(id);
        const name = await localName(store, id);
        const visaName = contact?.visa === undefined ? undefined : documentName(contact.visa);
        process.stdout.write(
          `${JSON.stringify({
            id,
            ...(name === undefined ? {} : { name }),
            ...(visaName === undefined ? {} : { visaName }),
            type: kindOf(id),
            inBook: book.includes(id),
            known: contact !== undefined,
          })}\n`,
        );
      }
    } finally {
      await store.close();
    }
  });
}
