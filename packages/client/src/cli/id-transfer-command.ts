import { join } from 'node:path';
import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError } from '@dimkit/protocol';
import { contactToJson, identityToJson, parseIdentity } from '@dimkit/protocol/account';
import { DEFAULT_HOME, openProfile, PASSPHRASE_ENV } from '../node/profile.js';
import { SqliteClientStore } from '../node/sqlite-store.js';
import { printJson, readJsonFile, writeFileAtomic } from './_io.js';
import { openProfileFrom, type ProfileFlags } from './_session.js';

/**
 * `dim id export` / `dim id import`: identity files out of and into the profile directory. A profile holds
 * its identity sealed (docs/client.md "Stores"); exporting writes it back as an identity file (private,
 * 0600), or with `--public` as a contact card ({id, meta, visa}) to give to others (`dim contacts add`).
 * Importing makes a profile that stands alone, locked by `DIM_PASSPHRASE`, so that `--me` is no longer needed.
 */
export function registerIdTransferCommands(id: Command): void {
  id.command('export')
    .description("write the profile's identity file (private keys: keep it private), or with --public a contact card")
    .requiredOption('--out <file>', 'where to write it')
    .option('--public', 'only {id, meta, visa}: what others need to write to you')
    .option('--force', 'overwrite an existing file')
    .option('--me <file>', 'an identity file (its profile in --home)')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .option('--profile <id>', 'which profile of --home, when it holds several')
    .action(async (options: ProfileFlags & { out: string; public?: boolean; force?: boolean }) => {
      const store = await openProfileFrom(options);
      try {
        const identity = store.identity;
        const json =
          options.public === true
            ? contactToJson({ id: identity.id, meta: identity.meta, visa: identity.visa })
            : identityToJson(identity);
        writeFileAtomic(options.out, `${JSON.stringify(json, null, 2)}\n`, {
          ...(options.force === undefined ? {} : { force: options.force }),
          mode: options.public === true ? 0o644 : 0o600,
        });
        printJson({ id: identity.id.text, file: options.out, public: options.public === true });
      } finally {
        await store.close();
      }
    });

  id.command('import')
    .description(`make a profile in --home from an identity file, locked by ${PASSPHRASE_ENV} (then no --me is needed)`)
    .argument('<file>', 'an identity file (dim id new, dim id export)')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .action(async (file: string, options: { home: string }) => {
      const passphrase = process.env[PASSPHRASE_ENV];
      if (passphrase === undefined || passphrase === '') {
        throw new DimError(
          'client.passphrase',
          `set ${PASSPHRASE_ENV}: an imported profile is locked by a passphrase (without one, use --me FILE each time)`,
        );
      }
      const identity = parseIdentity(readJsonFile(file, 'identity'), nodeBackend);
      const path = join(options.home, `${identity.id.address.text}.db`);
      const existing = SqliteClientStore.inspect(path);
      if (existing !== undefined) {
        throw new DimError('cli.usage', `${path} already holds the profile of ${existing.id}`);
      }
      const store = await openProfile({ home: options.home, me: file, passphrase });
      await store.close();
      printJson({ id: identity.id.text, profile: path });
    });
}
