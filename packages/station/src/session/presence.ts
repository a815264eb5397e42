import type { Session } from './session.js';

/**
 * Who is connected: the authenticated sessions of each user, keyed by the user's ID without terminal
 * (one user may have several devices connected at once: station spec §2.2 step 5, §3.1 step 2).
 */
export class Presence {
  readonly #byUser = new Map<string, Set<Session>>();
  #sessions = 0;

  /** Adds an authenticated session; true if it is the user's first. */
  add(session: Session): boolean {
    const user = session.userKey;
    if (user === undefined) throw new RangeError('presence: the session has no user yet');
    let set = this.#byUser.get(user);
    const first = set === undefined;
    if (set === undefined) this.#byUser.set(user, (set = new Set()));
    if (!set.has(session)) {
      set.add(session);
      this.#sessions++;
    }
    return first;
  }

  /** Removes a session; true if the user has no session left. */
  remove(session: Session): boolean {
    const user = session.userKey;
    if (user === undefined) return false;
    const set = this.#byUser.get(user);
    if (set === undefined || !set.delete(session)) return false;
    this.#sessions--;
    if (set.size > 0) return false;
    this.#byUser.delete(user);
    return true;
  }

  /** The sessions of `user` that take messages now (authenticated, open, not reported offline). */
  active(user: string): Session[] {
    const set = this.#byUser.get(user);
    if (set === undefined) return [];
    const out: Session[] = [];
    for (const session of set) if (session.active) out.push(session);
    return out;
  }

  /** Whether `user` has any authenticated session (active or not). */
  has(user: string): boolean {
    return this.#byUser.has(user);
  }

  /** Users with at least one authenticated session. */
  get users(): number {
    return this.#byUser.size;
  }

  /** Authenticated sessions. */
  get sessions(): number {
    return this.#sessions;
  }
}
