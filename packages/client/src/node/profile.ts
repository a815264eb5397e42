import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError } from '@dimkit/protocol';
import { parseIdentity, type Identity } from '@dimkit/protocol/account';
import { encodeHex, encodeUtf8 } from '@dimkit/protocol/encoding';
import { sha256 } from '@dimkit/protocol/crypto';
import { SqliteClientStore } from './sqlite-store.js';

/** The environment variable that unlocks profiles for bots and scripts. */
export const PASSPHRASE_ENV = 'DIM_PASSPHRASE';
/** Default profile directory. */
export const DEFAULT_HOME = join(homedir(), '.dimkit');
/** File name suffix of a profile database. */
const PROFILE_SUFFIX = '.db';

export interface ProfileOptions {
  /** Profile directory (default ~/.dimkit). */
  readonly home?: string;
  /** An identity file: its profile is `<home>/<address>.db`, created on first use. */
  readonly me?: string;
  /** Which profile of `home` (an ID, an address, or a file name) when there are several. */
  readonly profile?: string;
  /** Default: the `DIM_PASSPHRASE` environment variable. */
  readonly passphrase?: string;
  /** scrypt costs for a new profile (tests use small ones). */
  readonly kdf?: { readonly N: number; readonly r: number; readonly p: number };
}

/**
 * A profile unlocked by its identity file alone (no passphrase given when it was created): the key
 * is derived from the private key, so the profile is exactly as safe as that file.
 */
function identityPassphrase(identity: Identity): string {
  return encodeHex(sha256(encodeUtf8(`dimkit profile key\n${JSON.stringify(identity.privateKey.dict)}`)));
}

function readIdentityFile(path: string): Identity {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DimError(
      'cli.file',
      `cannot read identity file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DimError('cli.file', `identity file ${path} is not valid JSON`);
  }
  return parseIdentity(json, nodeBackend);
}

function profileFiles(home: string): string[] {
  try {
    return readdirSync(home)
      .filter((name) => name.endsWith(PROFILE_SUFFIX))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Opens the client database of a profile (one SQLite file per identity, `<home>/<address>.db`):
 * - with `me`: the identity file's profile, created on first use — locked by the passphrase if one
 *   is given (or `DIM_PASSPHRASE`), else by a key derived from the identity file;
 * - without: the profile named by `profile`, or the only one in `home`, unlocked by the passphrase
 *   (or `DIM_PASSPHRASE`).
 * Throws DimError('cli.usage') when no profile fits, ('client.passphrase') when it does not unlock,
 * ('cli.file') for an unreadable identity file.
 */
export async function openProfile(options: ProfileOptions = {}): Promise<SqliteClientStore> {
  const home = options.home ?? DEFAULT_HOME;
  const passphrase = options.passphrase ?? process.env[PASSPHRASE_ENV];
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if (options.me !== undefined) {
    const identity = readIdentityFile(options.me);
    const path = join(home, `${identity.id.address.text}${PROFILE_SUFFIX}`);
    const info = SqliteClientStore.inspect(path);
    if (info === undefined) {
      return SqliteClientStore.create(path, {
        identity,
        passphrase: passphrase !== undefined && passphrase !== '' ? passphrase : identityPassphrase(identity),
        unlock: passphrase !== undefined && passphrase !== '' ? 'passphrase' : 'identity',
        ...(options.kdf === undefined ? {} : { kdf: options.kdf }),
        backend: nodeBackend,
      });
    }
    if (info.id !== identity.id.text) {
      throw new DimError('cli.usage', `profile ${path} belongs to ${info.id}, not ${identity.id.text}`);
    }
    const key = info.unlock === 'identity' ? identityPassphrase(identity) : passphrase;
    if (key === undefined || key === '') {
      throw new DimError('client.passphrase', `profile ${path} needs its passphrase: set ${PASSPHRASE_ENV}`);
    }
    return SqliteClientStore.open(path, { passphrase: key, backend: nodeBackend });
  }
  const files = profileFiles(home);
  const wanted = options.profile;
  const candidates =
    wanted === undefined
      ? files
      : files.filter((name) => {
          const base = name.slice(0, -PROFILE_SUFFIX.length);
          return name === wanted || base === wanted || wanted.endsWith(`@${base}`);
        });
  if (candidates.length === 0) {
    throw new DimError(
      'cli.usage',
      wanted === undefined
        ? `no profile in ${home}: give --me FILE (an identity file from \`dim id new\`)`
        : `no profile "${wanted}" in ${home}`,
    );
  }
  if (candidates.length > 1) {
    throw new DimError(
      'cli.usage',
      `${candidates.length} profiles in ${home}: choose one with --me FILE or --profile ID`,
    );
  }
  const path = join(home, candidates[0]!);
  const info = SqliteClientStore.inspect(path);
  if (info === undefined) throw new DimError('cli.usage', `${path} is not a dim profile`);
  if (info.unlock === 'identity') {
    throw new DimError(
      'client.passphrase',
      `profile ${path} of ${info.id} is unlocked by its identity file: give --me FILE`,
    );
  }
  if (passphrase === undefined || passphrase === '') {
    throw new DimError('client.passphrase', `profile ${path} needs its passphrase: set ${PASSPHRASE_ENV}`);
  }
  return SqliteClientStore.open(path, { passphrase, backend: nodeBackend });
}
