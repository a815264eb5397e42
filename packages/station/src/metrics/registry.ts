/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4. No dependencies.
 *
 * Hot paths should bind a series once with `with(labels)` and keep the child: that avoids building the
 * label key on every update.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label values by label name; numbers are rendered with `String()`. */
export type LabelValues<L extends string> = { readonly [K in L]: string | number };

export interface MetricOptions<L extends string> {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`, unique in the registry. */
  readonly name: string;
  readonly help: string;
  /** `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`; `le` is reserved for histograms. */
  readonly labelNames?: readonly L[];
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, strictly increasing and finite; `+Inf` is implied. */
  readonly buckets?: readonly number[];
}

/** Prometheus' default buckets (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

abstract class Metric<L extends string, S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Series by rendered label set (`a="x",b="y"`, empty for no labels), in creation order. */
  protected readonly series = new Map<string, S>();

  constructor(options: MetricOptions<L>, reserved: readonly string[] = []) {
    const { name, help, labelNames = [] } = options;
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
      throw new TypeError(`metric: expected a Prometheus metric name, got ${JSON.stringify(name)}`);
    }
    if (typeof help !== 'string') throw new TypeError(`metric ${name}: expected a help string`);
    const seen = new Set<string>();
    for (const label of labelNames) {
      if (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith('__') || reserved.includes(label)) {
        throw new TypeError(`metric ${name}: label name ${JSON.stringify(label)} is not allowed`);
      }
      if (seen.has(label)) throw new TypeError(`metric ${name}: duplicate label name ${label}`);
      seen.add(label);
    }
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  protected abstract create(): S;
  protected abstract renderSeries(out: string[], labels: string, series: S): void;

  protected key(labels: LabelValues<L> | undefined): string {
    const names = this.labelNames;
    if (names.length === 0) return '';
    if (labels === undefined) throw new TypeError(`metric ${this.name}: expected labels ${names.join(', ')}`);
    let key = '';
    for (let i = 0; i < names.length; i++) {
      const value = labels[names[i]!];
      if (value === undefined) throw new TypeError(`metric ${this.name}: missing label ${names[i]}`);
      key += `${i === 0 ? '' : ','}${names[i]}="${escapeLabelValue(String(value))}"`;
    }
    return key;
  }

  /** Series of a one-label metric by raw label value: the common case skips building the key. */
  readonly #byValue = new Map<string | number, S>();

  protected get(labels: LabelValues<L> | undefined): S {
    if (this.labelNames.length === 1 && labels !== undefined) {
      const value = labels[this.labelNames[0]!];
      const known = value === undefined ? undefined : this.#byValue.get(value);
      if (known !== undefined) return known;
      const series = this.#getByKey(labels);
      if (this.#byValue.size < 1024) this.#byValue.set(value!, series);
      return series;
    }
    return this.#getByKey(labels);
  }

  #getByKey(labels: LabelValues<L> | undefined): S {
    const key = this.key(labels);
    let series = this.series.get(key);
    if (series === undefined) {
      series = this.create();
      this.series.set(key, series);
    }
    return series;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    if (this.labelNames.length === 0 && this.series.size === 0) this.get(undefined);
    for (const [labels, series] of this.series) this.renderSeries(out, labels, series);
  }
}

interface Cell {
  value: number;
}

export interface CounterChild {
  inc(value?: number): void;
  readonly value: number;
}

/** A monotonically increasing count. */
export class Counter<L extends string = never> extends Metric<L, Cell> {
  readonly type = 'counter';

  protected create(): Cell {
    return { value: 0 };
  }

  /** Adds `value` (default 1, must be >= 0) to the series for `labels`. */
  inc(labels?: LabelValues<L>, value = 1): void {
    if (!(value >= 0)) throw new RangeError(`counter ${this.name}: expected an increment >= 0, got ${value}`);
    this.get(labels).value += value;
  }

  /** The series for `labels`, bound once for hot paths. */
  with(labels?: LabelValues<L>): CounterChild {
    const cell = this.get(labels);
    const name = this.name;
    return {
      inc(value = 1) {
        if (!(value >= 0)) throw new RangeError(`counter ${name}: expected an increment >= 0, got ${value}`);
        cell.value += value;
      },
      get value() {
        return cell.value;
      },
    };
  }

  value(labels?: LabelValues<L>): number {
    return this.series.get(this.key(labels))?.value ?? 0;
  }

  protected renderSeries(out: string[], labels: string, cell: Cell): void {
    out.push(`${this.name}${labels ? `{${labels}}` : ''} ${formatNumber(cell.value)}`);
  }
}

export interface GaugeChild {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
  readonly value: number;
}

/** A value that goes up and down. */
export class Gauge<L extends string = never> extends Metric<L, Cell> {
  readonly type = 'gauge';

  protected create(): Cell {
    return { value: 0 };
  }

  set(labels: LabelValues<L> | undefined, value: number): void {
    this.get(labels).value = value;
  }

  inc(labels?: LabelValues<L>, value = 1): void {
    this.get(labels).value += value;
  }

  dec(labels?: LabelValues<L>, value = 1): void {
    this.get(labels).value -= value;
  }

  with(labels?: LabelValues<L>): GaugeChild {
    const cell = this.get(labels);
    return {
      set(value) {
        cell.value = value;
      },
      inc(value = 1) {
        cell.value += value;
      },
      dec(value = 1) {
        cell.value -= value;
      },
      get value() {
        return cell.value;
      },
    };
  }

  value(labels?: LabelValues<L>): number {
    return this.series.get(this.key(labels))?.value ?? 0;
  }

  protected renderSeries(out: string[], labels: string, cell: Cell): void {
    out.push(`${this.name}${labels ? `{${labels}}` : ''} ${formatNumber(cell.value)}`);
  }
}

interface HistogramCell {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export interface HistogramChild {
  observe(value: number): void;
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram<L extends string = never> extends Metric<L, HistogramCell> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions<L>) {
    super(options, ['le']);
    const buckets = options.buckets ?? DEFAULT_BUCKETS;
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      if (!Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!)) {
        throw new RangeError(`histogram ${this.name}: buckets must be finite and strictly increasing`);
      }
    }
    this.buckets = [...buckets];
  }

  protected create(): HistogramCell {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: LabelValues<L> | undefined, value: number): void {
    this.#observe(this.get(labels), value);
  }

  with(labels?: LabelValues<L>): HistogramChild {
    const cell = this.get(labels);
    return { observe: (value) => this.#observe(cell, value) };
  }

  #observe(cell: HistogramCell, value: number): void {
    if (Number.isNaN(value)) return;
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && value > buckets[i]!) i++;
    cell.counts[i]!++;
    cell.sum += value;
    cell.count++;
  }

  protected renderSeries(out: string[], labels: string, cell: HistogramCell): void {
    const sep = labels ? `${labels},` : '';
    let cumulative = 0;
    for (let i = 0; i <= this.buckets.length; i++) {
      cumulative += cell.counts[i]!;
      const le = i < this.buckets.length ? formatNumber(this.buckets[i]!) : '+Inf';
      out.push(`${this.name}_bucket{${sep}le="${le}"} ${cumulative}`);
    }
    const braces = labels ? `{${labels}}` : '';
    out.push(`${this.name}_sum${braces} ${formatNumber(cell.sum)}`, `${this.name}_count${braces} ${cell.count}`);
  }
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/** Holds metrics and renders them; one per process (or per station instance). */
export class MetricsRegistry {
  readonly #metrics = new Map<string, AnyMetric>();
  readonly #hooks: (() => void)[] = [];

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#add(new Counter<L>(options));
  }

  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.#add(new Gauge<L>(options));
  }

  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.#add(new Histogram<L>(options));
  }

  /**
   * Registers a function run at the start of every `render()`, to bring lazily computed values up to
   * date (e.g. byte counters read from live sockets). Returns a function that removes it.
   */
  onCollect(hook: () => void): () => void {
    this.#hooks.push(hook);
    return () => {
      const i = this.#hooks.indexOf(hook);
      if (i >= 0) this.#hooks.splice(i, 1);
    };
  }

  /** The metric registered under `name`, if any. */
  get(name: string): Counter<string> | Gauge<string> | Histogram<string> | undefined {
    return this.#metrics.get(name);
  }

  /** All metrics in the Prometheus text format (version 0.0.4), ending with a newline. */
  render(): string {
    for (const hook of this.#hooks) hook();
    const out: string[] = [];
    for (const metric of this.#metrics.values()) metric.render(out);
    return out.length === 0 ? '' : `${out.join('\n')}\n`;
  }

  #add<M extends AnyMetric>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new TypeError(`metric ${metric.name} is already registered`);
    this.#metrics.set(metric.name, metric as AnyMetric);
    return metric;
  }
}
