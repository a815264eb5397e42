/**
 * Memoizes a pure function of a string in a bounded map (least recently used first out).
 * Used for public key texts: the same visa/meta key arrives with every message, and keeping
 * one parsed object per text lets a backend reuse its native key (crypto-node caches
 * KeyObjects per object). Failures are not cached. Never used for private keys.
 */
export function boundedMemo<T>(max: number, compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key: string): T => {
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const value = compute(key);
    if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
    return value;
  };
}
