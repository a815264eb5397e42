// Timing helpers shared by the benchmarks (not a benchmark itself: the runner skips `_` files).

/**
 * Calls `fn` back to back for `ms` milliseconds of wall time and returns calls per second of
 * this process's CPU time (user + system). On a shared machine, time spent descheduled while
 * other processes run is not charged to `fn`; on an idle one the two clocks agree.
 */
export function rateOver(fn: () => void, ms: number): number {
  const end = performance.now() + ms;
  const cpu = process.cpuUsage();
  let calls = 0;
  do {
    fn();
    calls += 1;
  } while (performance.now() < end);
  const used = process.cpuUsage(cpu);
  return (calls * 1e6) / (used.user + used.system);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface PairedResult {
  /** Median rate of `subject` over the rounds (calls/s). */
  readonly subject: number;
  /** Median rate of `baseline` over the rounds (calls/s). */
  readonly baseline: number;
  /** Median over the rounds of subject/baseline, each pair measured back to back. */
  readonly ratio: number;
}

export interface PairedOptions {
  readonly rounds: number;
  /** Length of one side of one round, in milliseconds. */
  readonly ms: number;
  /** Warm-up of each side before the first round, in milliseconds. */
  readonly warmupMs: number;
}

/**
 * Measures `subject` against `baseline` in alternating slices: each round runs one then the
 * other for `ms` (the order flips every round), so slow drifts of a shared, noisy machine hit
 * both sides alike. The ratio is the median of the per-round ratios.
 */
export function paired(subject: () => void, baseline: () => void, options: PairedOptions): PairedResult {
  rateOver(baseline, options.warmupMs);
  rateOver(subject, options.warmupMs);
  const subjectRates: number[] = [];
  const baselineRates: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    let s: number;
    let b: number;
    if (round % 2 === 0) {
      b = rateOver(baseline, options.ms);
      s = rateOver(subject, options.ms);
    } else {
      s = rateOver(subject, options.ms);
      b = rateOver(baseline, options.ms);
    }
    subjectRates.push(s);
    baselineRates.push(b);
    ratios.push(s / b);
  }
  return { subject: median(subjectRates), baseline: median(baselineRates), ratio: median(ratios) };
}

/** Median rate of `fn` over `rounds` slices of `ms`, after a warm-up. */
export function alone(fn: () => void, options: PairedOptions): number {
  rateOver(fn, options.warmupMs);
  const rates: number[] = [];
  for (let round = 0; round < options.rounds; round++) rates.push(rateOver(fn, options.ms));
  return median(rates);
}
