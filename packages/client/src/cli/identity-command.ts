import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError, isDimError } from '@dimkit/protocol';
import { createIdentity, identityToJson, type IdentityEntity, type IdentityKind } from '@dimkit/protocol/account';
import { checkMeta, parseId, parseMeta } from '@dimkit/protocol/mkm';
import { printJson, readJsonFile, writeFileAtomic } from './_io.js';

const KINDS: readonly IdentityKind[] = ['eth', 'mkm', 'btc'];
const ENTITIES: readonly IdentityEntity[] = ['user', 'station', 'bot'];

function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new DimError('cli.usage', `${option} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

export function registerIdCommands(program: Command): void {
  const id = program.command('id').description('identities: create and check');

  id.command('new')
    .description('create an identity file ({id, meta, visa, privateKey, visaPrivateKey?}); keep it private')
    .option('--type <type>', 'eth (ECC identity key + RSA visa key, as reference users), mkm or btc', 'eth')
    .option('--name <name>', 'display name, written into the visa')
    .option('--entity <entity>', 'user, station or bot', 'user')
    .option('--force', 'overwrite an existing file')
    .requiredOption('--out <file>', 'where to write the identity file')
    .action((options: { type: string; name?: string; entity: string; out: string; force?: boolean }) => {
      const kind = oneOf(options.type, KINDS, '--type');
      const entity = oneOf(options.entity, ENTITIES, '--entity');
      if (kind === 'eth' && entity !== 'user')
        throw new DimError('cli.usage', '--type eth makes users only; use mkm or btc');
      const identity = createIdentity({ kind, entity, name: options.name, backend: nodeBackend });
      writeFileAtomic(options.out, `${JSON.stringify(identityToJson(identity), null, 2)}\n`, { force: options.force });
      printJson({ id: identity.id.text, file: options.out });
    });

  id.command('check')
    .description('check an ID string (and that a meta matches it); prints a JSON verdict')
    .argument('<id>', 'the ID string')
    .option('--meta <file>', 'a meta file (or an identity/group file with a `meta` field)')
    .action((text: string, options: { meta?: string }) => {
      const verdict: Record<string, unknown> = { input: text };
      try {
        const id = parseId(text);
        Object.assign(verdict, {
          valid: true,
          id: id.text,
          name: id.name ?? null,
          address: id.address.text,
          terminal: id.terminal ?? null,
          type: id.type,
          isUser: id.isUser,
          isGroup: id.isGroup,
          isBroadcast: id.isBroadcast,
        });
        if (options.meta !== undefined) {
          const json = readJsonFile(options.meta, 'meta') as Record<string, unknown>;
          const meta = parseMeta(json['meta'] ?? json, nodeBackend);
          checkMeta(meta, id);
          verdict['metaMatches'] = true;
        }
      } catch (error) {
        if (!isDimError(error) || error.code === 'cli.file') throw error;
        verdict[verdict['valid'] === true ? 'metaMatches' : 'valid'] = false;
        verdict['error'] = error.code;
        verdict['reason'] = error.message;
        printJson(verdict);
        process.exitCode = 1;
        return;
      }
      printJson(verdict);
    });
}
