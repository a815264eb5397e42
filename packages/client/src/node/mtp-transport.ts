import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Transport, TransportConnection, TransportHandlers } from '../core/transport.js';
import { encodeMtpFrame, MtpDataType, MtpStreamParser, type MtpFrame } from '@dimkit/protocol/mtp';

export interface MtpTransportOptions {
  /** Largest package body accepted (default 16 MiB). */
  readonly maxPayloadBytes?: number;
  /** Give up connecting after this (default 20 000 ms). */
  readonly connectTimeoutMs?: number;
}

const OK = Buffer.from('OK');
const PING = Buffer.from('PING');
const PONG = Buffer.from('PONG');
const decoder = new TextDecoder();

/**
 * An MTP link over TCP, as the reference's Python clients and bots use it (station spec §1.4):
 * each DIM message is a Message package with a fresh SN; each Message from the station is
 * answered with a Message-Response carrying its SN and `OK` once the messenger processed it;
 * the heartbeat is a Command `PING` answered by a Command-Response `PONG`.
 */
class MtpConnection implements TransportConnection {
  readonly #socket: Socket;
  readonly #handlers: TransportHandlers;
  readonly #parser: MtpStreamParser;
  #sn: bigint;
  #closed = false;

  constructor(host: string, port: number, handlers: TransportHandlers, options: MtpTransportOptions) {
    this.#handlers = handlers;
    this.#parser = new MtpStreamParser({ maxBodyBytes: options.maxPayloadBytes ?? 16 * 1024 * 1024 }, (frame) =>
      this.#onFrame(frame),
    );
    // station spec §1.4: the SN is a 64-bit counter seeded randomly.
    this.#sn = randomBytes(8).readBigUInt64BE(0) >> 1n;
    this.#socket = connect({ host, port });
    this.#socket.setNoDelay(true);
    this.#socket.setTimeout(options.connectTimeoutMs ?? 20_000);
    this.#socket.on('timeout', () => {
      if (this.#socket.connecting) this.#finish('connect timeout');
    });
    this.#socket.on('connect', () => {
      this.#socket.setTimeout(0);
      if (!this.#closed) this.#handlers.onOpen();
    });
    this.#socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#socket.on('error', (error) => this.#finish(`error: ${error.message}`));
    this.#socket.on('close', () => this.#finish('closed'));
  }

  #nextSn(): bigint {
    this.#sn = (this.#sn + 1n) & 0xffffffffffffffffn;
    return this.#sn;
  }

  /** One package with a 16-byte header (or, answering a package that had no SN, without one). */
  #write(type: MtpDataType, sn: bigint | undefined, body: Uint8Array): boolean {
    if (this.#closed || this.#socket.destroyed || this.#socket.connecting) return false;
    this.#socket.write(encodeMtpFrame(sn === undefined ? { type } : { type, sn }, body));
    return true;
  }

  #receive(chunk: Buffer): void {
    if (this.#closed) return;
    const error = this.#parser.push(chunk);
    if (error !== null) this.close(`protocol: ${error}`);
  }

  #onFrame(frame: MtpFrame): void {
    if (this.#closed) return;
    const { header, body } = frame;
    switch (header.type) {
      case MtpDataType.Message: {
        const text = decoder.decode(body);
        if (text === 'PING' || text === 'PONG' || text === 'NOOP' || text.length === 0) {
          this.#handlers.onHeartbeat();
          break;
        }
        let answered = false;
        this.#handlers.onPayload(text, () => {
          if (answered) return;
          answered = true;
          this.#write(MtpDataType.MessageResponse, header.sn, OK);
        });
        break;
      }
      case MtpDataType.Command:
        // Any command is answered: PING with PONG, the rest with OK (station spec §1.4).
        this.#write(MtpDataType.CommandResponse, header.sn, PING.equals(body) ? PONG : OK);
        this.#handlers.onHeartbeat();
        break;
      default:
        // Command/Message responses (our PING's PONG, the OK for our messages), fragments: alive.
        this.#handlers.onHeartbeat();
    }
  }

  #finish(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#handlers.onClose(reason);
  }

  send(payload: string): boolean {
    return this.#write(MtpDataType.Message, this.#nextSn(), Buffer.from(payload, 'utf8'));
  }

  ping(): void {
    this.#write(MtpDataType.Command, this.#nextSn(), PING);
  }

  close(reason = 'closed by the client'): void {
    if (this.#closed) return;
    this.#socket.end();
    this.#finish(reason);
  }
}

/** A transport to `tcp://host:port` or `mtp://host:port` (the station's one port serves both framings). */
export function mtpTransport(url: string, options: MtpTransportOptions = {}): Transport {
  const parsed = new URL(url);
  if (parsed.protocol !== 'tcp:' && parsed.protocol !== 'mtp:') {
    throw new RangeError(`mtpTransport: expected a tcp:// or mtp:// URL, got ${url}`);
  }
  if (parsed.port === '') throw new RangeError(`mtpTransport: ${url} has no port`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(parsed.port);
  return { url, host, port, connect: (handlers) => new MtpConnection(host, port, handlers, options) };
}
