import { nodeBackend } from '@dimkit/crypto-node';
import { DimError } from '@dimkit/protocol';
import { Messenger } from '../core/messenger.js';
import { openProfile } from '../node/profile.js';
import type { SqliteClientStore } from '../node/sqlite-store.js';
import { transportForUrl } from '../node/transport-for-url.js';

/** The profile options every connected `dim` command takes. */
export interface ProfileFlags {
  readonly me?: string;
  readonly home: string;
  readonly profile?: string;
}

/** Opens the profile that `--me` / `--profile` / `--home` name. */
export function openProfileFrom(flags: ProfileFlags): Promise<SqliteClientStore> {
  return openProfile({
    home: flags.home,
    ...(flags.me === undefined ? {} : { me: flags.me }),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
  });
}

/** A messenger on the profile's store, for `station` (not started). */
export function messengerFor(store: SqliteClientStore, station: string, agent: string): Messenger {
  return new Messenger({
    identity: store.identity,
    store,
    transport: transportForUrl(station),
    backend: nodeBackend,
    agent,
  });
}

/**
 * Resolves once the session runs (the station knows our meta then: uploads need that); rejects with
 * DimError('client.timeout') after `timeoutMs`, naming the last problem seen.
 */
export function whenRunning(messenger: Messenger, station: string, timeoutMs: number): Promise<void> {
  if (messenger.state === 'running') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let problem = '';
    const timer = setTimeout(() => {
      off();
      reject(
        new DimError('client.timeout', `could not reach the station ${station}${problem} within ${timeoutMs / 1000} s`),
      );
    }, timeoutMs);
    const off = messenger.on('state', (e) => {
      if (e.reason !== undefined) problem = ` (${e.reason})`;
      if (e.state === 'running') {
        clearTimeout(timer);
        off();
        resolve();
      } else if (e.state === 'closed') {
        clearTimeout(timer);
        off();
        reject(new DimError('client.closed', 'the messenger was stopped'));
      }
    });
  });
}
