import type { Socket } from 'node:net';
import type { CloseReason, SendOptions } from './connection.js';
import { ConnectionBase } from './_context.js';
import type { Link, TransportContext } from './_context.js';
import { encodeMtpFrame, encodeMtpHeader, MtpDataType, MtpStreamParser } from '@dimkit/protocol/mtp';
import type { MtpDataType as DataType, MtpFrame, MtpHeader } from '@dimkit/protocol/mtp';
import { controlWord, forEachMessage } from './_payload.js';

const OK = new TextEncoder().encode('OK');
const PONG = new TextEncoder().encode('PONG');

function isWord(body: Uint8Array, word: string): boolean {
  if (body.length !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (body[i] !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * A client on MTP over TCP (§1.4): Python bots, neighbour stations. Every client Message gets a
 * Message-Response (same SN, body `OK`) before its body is processed; Command `PING` gets Command-Response
 * `PONG`, other commands `OK`; a Message-Response acknowledges our Message with that SN (body `AGAIN` is
 * ignored, as in the reference). Outgoing payloads are Messages with fresh SNs and a 16-byte header.
 * Fragments (0x0A) are not used on streams (§1.4) and are dropped.
 */
export class MtpConnection extends ConnectionBase {
  readonly transport = 'mtp';
  readonly #socket: Socket;
  readonly #parser: MtpStreamParser;

  constructor(ctx: TransportContext, link: Link, id: string) {
    super(ctx, link, id);
    this.#socket = link.socket;
    this.#parser = new MtpStreamParser(
      { maxBodyBytes: ctx.options.maxPayloadBytes, maxGarbageBytes: ctx.options.maxGarbageBytes },
      (frame) => this.#onFrame(frame),
    );
  }

  get bufferedBytes(): number {
    return this.#socket.writableLength;
  }

  /** Bytes received from the socket. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    this.lastRx = this.ctx.clock;
    const error = this.#parser.push(chunk);
    if (error !== null) this.close(error);
  }

  send(payload: Uint8Array, options?: SendOptions): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const socket = this.#socket;
    if (socket.writableLength + payload.length + 16 > this.ctx.options.maxUnsentBytes) {
      this.close('slow-reader');
      return Promise.resolve(false);
    }
    const sn = this.ctx.nextSn();
    const header = encodeMtpHeader({ type: MtpDataType.Message, sn, bodyLength: payload.length });
    const ackKey = options?.ackKey;
    // Registered before writing: a bad ackTimeoutMs throws before anything is on the wire.
    const acked =
      ackKey === undefined ? undefined : this.expectAck([sn], options?.ackTimeoutMs ?? this.ctx.options.ackTimeoutMs);
    this.ctx.metrics.framesOut.mtp.inc();
    // Header and body (and whatever else this turn sends here) go out in one writev; the payload is not copied.
    this.holdWrites();
    socket.write(header);
    if (acked !== undefined) {
      socket.write(payload);
      return acked;
    }
    return new Promise<boolean>((resolve) => socket.write(payload, (err) => resolve(err == null)));
  }

  protected teardown(reason: CloseReason): void {
    if (reason === 'slow-reader') this.#socket.destroy();
    else this.#socket.end();
  }

  protected pauseReading(): void {
    this.#socket.pause();
  }

  protected resumeReading(): void {
    this.#socket.resume();
  }

  #onFrame(frame: MtpFrame): void {
    if (this.closed) return;
    this.ctx.metrics.framesIn.mtp.inc();
    const { header, body } = frame;
    switch (header.type) {
      case MtpDataType.Message:
        if (!this.#respond(header, MtpDataType.MessageResponse, OK)) return;
        // §1.4: a Message that is only a heartbeat word is ignored.
        if (body.length === 0 || (body.length <= 4 && controlWord(body) !== undefined)) return;
        forEachMessage(body, this, deliver);
        return;
      case MtpDataType.Command:
        this.#respond(header, MtpDataType.CommandResponse, isWord(body, 'PING') ? PONG : OK);
        return;
      case MtpDataType.MessageResponse:
        if (header.sn !== undefined && !isWord(body, 'AGAIN')) this.acknowledge(header.sn);
        return;
      case MtpDataType.MessageFragment:
        this.ctx.log.debug({ conn: this.id, pages: header.pages }, 'MTP fragment on a stream dropped');
        return;
      default:
        return;
    }
  }

  /** Answers a package with the same SN (and pages/index) as the request. False if that closed us. */
  #respond(request: MtpHeader, type: DataType, body: Uint8Array): boolean {
    const socket = this.#socket;
    if (socket.writableLength + body.length + 24 > this.ctx.options.maxUnsentBytes) {
      this.close('slow-reader');
      return false;
    }
    const { sn } = request;
    const init =
      sn === undefined
        ? { type }
        : request.headerLength >= 20
          ? { type, sn, pages: request.pages, index: request.index }
          : { type, sn };
    this.holdWrites();
    socket.write(encodeMtpFrame(init, body));
    this.ctx.metrics.framesOut.mtp.inc();
    return true;
  }
}

function deliver(conn: MtpConnection, message: Uint8Array): void {
  if (!conn.closed) conn.deliver(message);
}
