import { withoutTerminal, type ID } from '@dimkit/protocol/mkm';
import type { Connection } from '../transport/index.js';
import { createSessionKey } from './session-key.js';

/** The per-connection bounds of a session (StationConfig.session). */
export interface SessionLimits {
  readonly maxSuspended: number;
  readonly maxSuspendedBytes: number;
  readonly maxQueued: number;
  readonly maxQueuedBytes: number;
  readonly maxInFlight: number;
  readonly maxRefusals: number;
}

/** Processes one received DIM message of a session; must not reject (errors are the processor's to handle). */
export type SessionProcessor = (session: Session, payload: Uint8Array) => Promise<void>;

/**
 * One client connection as the station core knows it (station spec §2): its session key, the user it
 * proved to be (after `DIM!`), whether that user is active (`report online/offline`), the messages it sent
 * before the handshake, and the work it has in progress.
 *
 * Every queue here is bounded (style rule 7): received messages wait in order for processing and the
 * connection is paused past `maxQueued`/`maxQueuedBytes`; relayed messages the station has not yet taken on
 * (inbox writes in progress; never a peer's acknowledgement) count against `maxInFlight`, past which
 * processing waits (and so the connection pauses);
 * suspended messages stop at `maxSuspended`/`maxSuspendedBytes`.
 */
export class Session {
  readonly conn: Connection;
  /** The session key sent in `DIM?` and expected back (station spec §2.2 step 3). */
  readonly key: string;
  /** performance.now() when the connection opened. */
  readonly openedAt: number;
  /** True once the station's meta and visa were attached to a reply on this connection. */
  introduced = false;

  readonly #limits: SessionLimits;
  readonly #process: SessionProcessor;
  readonly #onError: (error: unknown) => void;
  #user: ID | undefined;
  #userKey: string | undefined;
  #active = false;
  #activeTime = -Infinity;
  #closed = false;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #refusals = 0;

  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #running = false;
  #paused = false;
  #inFlight = 0;
  #capacity: (() => void) | undefined;

  #suspended: Uint8Array[] = [];
  #suspendedBytes = 0;

  constructor(conn: Connection, limits: SessionLimits, process: SessionProcessor, onError: (error: unknown) => void) {
    this.conn = conn;
    this.key = createSessionKey();
    this.openedAt = performance.now();
    this.#limits = limits;
    this.#process = process;
    this.#onError = onError;
  }

  /** The user this connection proved to be, once the handshake was accepted. */
  get user(): ID | undefined {
    return this.#user;
  }

  /** The user's ID without terminal: the key under which presence, inbox and lists are kept. */
  get userKey(): string | undefined {
    return this.#userKey;
  }

  /** Authenticated and not reported offline: messages for the user are pushed here. */
  get active(): boolean {
    return this.#active && !this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Relayed messages of this connection the station has not yet taken on. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Binds the connection to `user` (handshake accepted) and marks it active. Throws if bound to another user. */
  bind(user: ID): void {
    const key = withoutTerminal(user).text;
    if (this.#userKey !== undefined && this.#userKey !== key) {
      throw new RangeError(`session already bound to ${this.#userKey}, not ${key}`);
    }
    this.#user = user;
    this.#userKey = key;
    this.#active = true;
    this.clearDeadline();
  }

  /**
   * Marks the user active or not (`report online/offline`, `login`), unless an earlier-dated toggle arrives
   * after a later one (station spec §2.2 step 5: the command time orders toggles). Returns whether it changed.
   */
  setActive(active: boolean, time: number = Date.now() / 1000): boolean {
    if (this.#user === undefined || time < this.#activeTime) return false;
    this.#activeTime = time;
    const changed = this.#active !== active;
    this.#active = active;
    return changed;
  }

  /** Closes the connection unless the handshake completes within `ms`. */
  startDeadline(ms: number, onExpire: () => void): void {
    this.clearDeadline();
    this.#deadline = setTimeout(() => {
      this.#deadline = undefined;
      if (!this.#closed && this.#user === undefined) onExpire();
    }, ms);
    this.#deadline.unref();
  }

  clearDeadline(): void {
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  /** Counts a refused message; true when this session has used up its allowance and should be closed. */
  refuse(): boolean {
    this.#refusals++;
    return this.#refusals >= this.#limits.maxRefusals;
  }

  /**
   * Queues a received payload for in-order processing. It is copied, so a message kept until its receiver
   * acknowledges does not keep the whole socket read it came in alive. `Buffer.allocUnsafe` takes small copies
   * from Node's shared pool instead of allocating memory for each.
   */
  receive(payload: Uint8Array): void {
    if (this.#closed) return;
    const copy = Buffer.allocUnsafe(payload.length);
    copy.set(payload);
    this.#queue.push(copy);
    this.#queuedBytes += copy.length;
    if (this.#queue.length >= this.#limits.maxQueued || this.#queuedBytes >= this.#limits.maxQueuedBytes) {
      this.#pause();
    }
    if (!this.#running) void this.#run();
  }

  /** Keeps a message sent before the handshake, to replay after `DIM!`. False when the suspend queue is full. */
  suspend(payload: Uint8Array): boolean {
    const limits = this.#limits;
    if (
      this.#suspended.length >= limits.maxSuspended ||
      this.#suspendedBytes + payload.length > limits.maxSuspendedBytes
    ) {
      return false;
    }
    this.#suspended.push(payload);
    this.#suspendedBytes += payload.length;
    return true;
  }

  /** The suspended messages, in arrival order; the suspend queue is emptied. */
  takeSuspended(): Uint8Array[] {
    const out = this.#suspended;
    this.#suspended = [];
    this.#suspendedBytes = 0;
    return out;
  }

  /** Counts `outcome` against `maxInFlight` until it settles. */
  track(outcome: Promise<unknown>): void {
    this.#inFlight++;
    const settle = () => {
      this.#inFlight--;
      if (this.#capacity !== undefined && this.#inFlight < this.#limits.maxInFlight) {
        const wake = this.#capacity;
        this.#capacity = undefined;
        wake();
      }
      if (!this.#running) this.#maybeResume();
    };
    outcome.then(settle, settle);
  }

  /** The connection closed: drops queued and suspended work and stops the deadline. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.clearDeadline();
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#suspended = [];
    this.#suspendedBytes = 0;
    const wake = this.#capacity;
    this.#capacity = undefined;
    wake?.();
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.conn.pause();
  }

  #maybeResume(): void {
    if (!this.#paused || this.#closed) return;
    const limits = this.#limits;
    if (
      this.#queue.length <= limits.maxQueued / 2 &&
      this.#queuedBytes <= limits.maxQueuedBytes / 2 &&
      this.#inFlight < limits.maxInFlight
    ) {
      this.#paused = false;
      this.conn.resume();
    }
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        if (this.#inFlight >= this.#limits.maxInFlight) {
          this.#pause();
          await new Promise<void>((resolve) => (this.#capacity = resolve));
          continue;
        }
        const payload = this.#queue.shift()!;
        this.#queuedBytes -= payload.length;
        try {
          await this.#process(this, payload);
        } catch (error) {
          this.#onError(error);
        }
        this.#maybeResume();
      }
    } finally {
      this.#running = false;
    }
  }
}
