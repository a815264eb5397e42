import { DimError } from '@dimkit/protocol';
import type { Transport } from '../core/transport.js';
import { mtpTransport } from './mtp-transport.js';
import { webSocketTransport } from './ws-transport.js';

/**
 * The transport for a station URL: `ws://host:port/` (or `wss://`) for WebSocket, `tcp://host:port`
 * or `mtp://host:port` for MTP. Throws DimError('cli.usage') for anything else (user input).
 */
export function transportForUrl(url: string): Transport {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DimError('cli.usage', `station URL "${url}": expected ws://host:port/ or tcp://host:port`);
  }
  switch (parsed.protocol) {
    case 'ws:':
    case 'wss:':
      return webSocketTransport(url);
    case 'tcp:':
    case 'mtp:':
      if (parsed.port === '') throw new DimError('cli.usage', `station URL "${url}": give the port (tcp://host:9394)`);
      return mtpTransport(url);
    default:
      throw new DimError('cli.usage', `station URL "${url}": expected ws://, wss://, tcp:// or mtp://`);
  }
}
