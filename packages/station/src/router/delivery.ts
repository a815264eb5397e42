import { isDimError } from '@dimkit/protocol';
import type { Presence, Session } from '../session/index.js';
import type { InboxItem, InboxMessage, Store } from '../store/index.js';
import type { StationLogger } from '../logger.js';
import type { StationMetrics } from './metrics.js';

/**
 * What became of a relayed message: pushed and acknowledged by a session of the receiver (`delivered`),
 * committed to its inbox (`cached`, also when it was there already), refused because the inbox is full
 * (`quota`), or lost to a store failure before it was kept (`failed`).
 */
export type DeliveryOutcome = 'delivered' | 'cached' | 'quota' | 'failed';

/**
 * A delivery under way. `accepted` settles once the station has taken the message on: pushed to the
 * receiver's sessions, or committed to its inbox (it never waits for a peer, so a sender may be throttled on
 * it without any risk of waiting on another paused connection); `outcome` settles with the final result (for
 * the receipt), possibly only when the receiver acknowledges. Neither rejects.
 */
export interface Delivering {
  /** Undefined when the message was taken on at once (pushed live). */
  readonly accepted: Promise<unknown> | undefined;
  readonly outcome: Promise<DeliveryOutcome>;
}

export interface DeliveryOptions {
  readonly store: Store;
  readonly presence: Presence;
  readonly metrics: StationMetrics;
  readonly log: StationLogger;
  /** Inbox messages pushed and not yet acknowledged, per receiver. */
  readonly drainWindow: number;
  /**
   * Bytes of those messages, at most (one message is always allowed): keep it well under the transport's
   * `maxUnsentBytes`, or a drain could close its own receiver as a slow reader.
   */
  readonly drainWindowBytes: number;
  /** Inbox messages read at a time. */
  readonly drainBatch: number;
  /**
   * Messages pushed live to one receiver and not yet acknowledged, at most; past it, messages for that
   * receiver queue in its inbox (in order) and are drained as acknowledgements come back.
   */
  readonly liveWindow: number;
}

/** Per receiver, while its inbox is being drained or written to. */
interface ReceiverState {
  draining: boolean;
  /** A session came online during a drain: if the drain stops at an unacknowledged item, run it again. */
  again: boolean;
  /** Live pushes not yet acknowledged (or failed). */
  live: number;
  /** The live window overflowed: messages queue in the inbox until a drain has emptied it. */
  backlog: boolean;
  /** Inbox writes started and not settled. */
  pendingPuts: number;
  /** Bumped when an inbox write starts: a drain that saw an empty inbox re-reads if it moved. */
  putEpoch: number;
  /** Resolvers waiting for pendingPuts to reach 0. */
  putWaiters: (() => void)[];
  /** Sequence numbers acknowledged and not yet removed. */
  removals: number[];
  removing: Promise<void> | undefined;
}

/**
 * Delivery to users (station spec §3.1, §3.2): a relayed message is pushed, as its original bytes, to every
 * active session of the receiver with `ackKey` = its signature; the first acknowledgement makes it
 * `delivered`. If no session acknowledges (timeout, close) or none is active, it goes to the durable inbox:
 * nothing is lost that the sender was told about.
 *
 * When a session comes online (handshake, `login`, `report online`) the receiver's inbox is drained in order,
 * at most `drainWindow` messages (and `drainWindowBytes`) awaiting acknowledgement at once; each item is removed only after a session
 * acknowledged it. While a drain runs, new messages for that receiver go to the inbox behind the drained ones
 * (so they neither overtake them nor get lost), and the drain only ends once the inbox reads empty with no write
 * in progress; from then on messages are pushed live again. A drain stops at the first item no session
 * acknowledges; the rest waits for the next `online` (reference clients re-send `login` every 5 minutes).
 */
export class Delivery {
  readonly #store: Store;
  readonly #presence: Presence;
  readonly #metrics: StationMetrics;
  readonly #log: StationLogger;
  readonly #window: number;
  readonly #windowBytes: number;
  readonly #batch: number;
  readonly #liveWindow: number;
  readonly #receivers = new Map<string, ReceiverState>();
  readonly #work = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: DeliveryOptions) {
    this.#store = options.store;
    this.#presence = options.presence;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#window = options.drainWindow;
    this.#windowBytes = options.drainWindowBytes;
    this.#batch = options.drainBatch;
    this.#liveWindow = options.liveWindow;
  }

  /**
   * Delivers `message` to `receiver` (an ID without terminal). The live-or-inbox decision is taken
   * synchronously, in call order, so messages to one receiver keep their order: live while the receiver has an
   * active session, no drain or backlog, and room in its live window; else to the inbox.
   */
  deliver(receiver: string, message: InboxMessage): Delivering {
    const sessions = this.#presence.active(receiver);
    const state = this.#receivers.get(receiver);
    if (sessions.length === 0 || state?.draining === true || state?.backlog === true) {
      const outcome = this.#cache(receiver, message);
      return { accepted: outcome, outcome };
    }
    const live = state ?? this.#state(receiver);
    if (live.live >= this.#liveWindow) {
      live.backlog = true;
      const outcome = this.#cache(receiver, message);
      return { accepted: outcome, outcome };
    }
    live.live++;
    const outcome = this.#track(
      this.#push(sessions, message, 'live').then((ok) => {
        live.live--;
        // The window has room again: deliver what queued behind it.
        if (live.backlog && !live.draining && live.live < this.#liveWindow / 2) this.online(receiver);
        this.#release(receiver, live);
        return ok ? ('delivered' as const) : this.#cache(receiver, message);
      }),
    );
    return { accepted: undefined, outcome };
  }

  /**
   * A session of `receiver` became active: deliver its inbox. A drain already running simply goes on (it pushes
   * each item to the sessions active at that moment, the new one included).
   */
  online(receiver: string): void {
    if (this.#closed) return;
    const state = this.#state(receiver);
    if (state.draining) {
      state.again = true;
      return;
    }
    state.draining = true;
    this.#track(this.#drain(receiver, state));
  }

  /** Stops starting drains; resolves once running drains, inbox writes and removals have settled. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  /** Resolves once everything started so far has settled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  #state(receiver: string): ReceiverState {
    let state = this.#receivers.get(receiver);
    if (state === undefined) {
      state = {
        draining: false,
        again: false,
        live: 0,
        backlog: false,
        pendingPuts: 0,
        putEpoch: 0,
        putWaiters: [],
        removals: [],
        removing: undefined,
      };
      this.#receivers.set(receiver, state);
    }
    return state;
  }

  /** Forgets a receiver's state once nothing refers to it. */
  #release(receiver: string, state: ReceiverState): void {
    if (
      !state.draining &&
      !state.backlog &&
      state.live === 0 &&
      state.pendingPuts === 0 &&
      state.removals.length === 0 &&
      state.removing === undefined &&
      this.#receivers.get(receiver) === state
    ) {
      this.#receivers.delete(receiver);
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#work.add(promise);
    const done = () => this.#work.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Pushes to every session; resolves true on the first acknowledgement, false when none acknowledged. */
  #push(sessions: readonly Session[], message: InboxMessage, kind: 'live' | 'inbox'): Promise<boolean> {
    const sent = this.#metrics.sent;
    if (sessions.length === 1) {
      sent.inc({ kind });
      return sessions[0]!.conn.send(message.payload, { ackKey: message.signature });
    }
    return new Promise<boolean>((resolve) => {
      let open = sessions.length;
      let done = false;
      for (const session of sessions) {
        sent.inc({ kind });
        session.conn.send(message.payload, { ackKey: message.signature }).then((ok) => {
          open--;
          if (ok && !done) {
            done = true;
            resolve(true);
          } else if (open === 0 && !done) {
            done = true;
            resolve(false);
          }
        });
      }
    });
  }

  #cache(receiver: string, message: InboxMessage): Promise<DeliveryOutcome> {
    const state = this.#state(receiver);
    state.pendingPuts++;
    state.putEpoch++;
    const put = this.#store.inbox.put(receiver, message).then(
      (result): DeliveryOutcome => {
        this.#metrics.inbox.inc({ result });
        if (result === 'stored') this.#metrics.inboxDepth.inc();
        return result === 'quota' ? 'quota' : 'cached';
      },
      (error: unknown): DeliveryOutcome => {
        if (!isDimError(error)) this.#log.error({ err: error, receiver }, 'inbox write failed');
        else this.#log.warn({ code: error.code, receiver }, 'inbox write failed');
        return 'failed';
      },
    );
    const settled = put.then((outcome) => {
      state.pendingPuts--;
      if (state.pendingPuts === 0) {
        const waiters = state.putWaiters;
        state.putWaiters = [];
        for (const wake of waiters) wake();
      }
      this.#release(receiver, state);
      return outcome;
    });
    return this.#track(settled);
  }

  async #drain(receiver: string, state: ReceiverState): Promise<void> {
    try {
      // A drain that stopped at an unacknowledged item runs again if a session came online meanwhile.
      while ((await this.#drainOnce(receiver, state)) === 'stopped' && state.again && !this.#closed) {
        state.again = false;
      }
    } catch (error) {
      // A store failure ends this drain; messages stay in the inbox for the next one.
      this.#log.warn({ err: isDimError(error) ? error.code : error, receiver }, 'inbox drain stopped');
    } finally {
      state.draining = false;
      state.again = false;
      this.#release(receiver, state);
    }
  }

  /**
   * One pass over the inbox. Answers 'empty' after switching the receiver back to live delivery, in the same
   * turn as the read that found the inbox empty with no write in flight (so no message can slip in between),
   * or 'stopped' (an item was not acknowledged, no session is left, or the station is closing).
   */
  async #drainOnce(receiver: string, state: ReceiverState): Promise<'empty' | 'stopped'> {
    const inflight = new Set<Promise<void>>();
    let inflightBytes = 0;
    let failed = false;
    let after = 0;
    for (;;) {
      if (failed || this.#closed || this.#presence.active(receiver).length === 0) return 'stopped';
      const epoch = state.putEpoch;
      const items = await this.#store.inbox.list(receiver, { limit: this.#batch, afterSeq: after });
      if (items.length === 0) {
        if (state.pendingPuts > 0) {
          await new Promise<void>((resolve) => state.putWaiters.push(resolve));
          continue;
        }
        if (epoch !== state.putEpoch) continue;
        state.draining = false;
        state.backlog = false;
        return 'empty';
      }
      for (const item of items) {
        const size = item.payload.length;
        while (
          inflight.size > 0 &&
          !failed &&
          (inflight.size >= this.#window || inflightBytes + size > this.#windowBytes)
        ) {
          await Promise.race(inflight);
        }
        if (failed) return 'stopped';
        const sessions = this.#presence.active(receiver);
        if (sessions.length === 0) return 'stopped';
        after = item.seq;
        inflightBytes += size;
        const pushed = this.#track(this.#push(sessions, item, 'inbox')).then((ok) => {
          inflightBytes -= size;
          if (ok) this.#removeLater(receiver, state, item);
          else failed = true;
        });
        inflight.add(pushed);
        void pushed.then(() => inflight.delete(pushed));
      }
    }
  }

  /** Removes acknowledged items in batches (one store write per event-loop turn). */
  #removeLater(receiver: string, state: ReceiverState, item: InboxItem): void {
    state.removals.push(item.seq);
    if (state.removing !== undefined) return;
    state.removing = this.#track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        while (state.removals.length > 0) {
          const seqs = state.removals;
          state.removals = [];
          try {
            const removed = await this.#store.inbox.remove(receiver, seqs);
            this.#metrics.inbox.inc({ result: 'delivered' }, removed);
            this.#metrics.inboxDepth.dec(removed);
          } catch (error) {
            this.#log.warn({ err: isDimError(error) ? error.code : error, receiver }, 'inbox remove failed');
          }
        }
        state.removing = undefined;
        this.#release(receiver, state);
      }),
    );
  }
}
