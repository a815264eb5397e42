import { describe, expect, it } from 'vitest';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './registry.js';

describe('metrics registry (Prometheus text format 0.0.4)', () => {
  it('renders counters and gauges with HELP and TYPE, series in creation order', () => {
    const r = new MetricsRegistry();
    const frames = r.counter({ name: 'frames_total', help: 'Frames.', labelNames: ['transport'] });
    const open = r.gauge({ name: 'open', help: 'Open now.' });
    frames.inc({ transport: 'ws' });
    frames.inc({ transport: 'mtp' }, 3);
    frames.with({ transport: 'ws' }).inc(2);
    open.inc();
    open.inc();
    open.dec();
    expect(r.render()).toBe(
      [
        '# HELP frames_total Frames.',
        '# TYPE frames_total counter',
        'frames_total{transport="ws"} 3',
        'frames_total{transport="mtp"} 3',
        '# HELP open Open now.',
        '# TYPE open gauge',
        'open 1',
        '',
      ].join('\n'),
    );
    expect(frames.value({ transport: 'ws' })).toBe(3);
    expect(PROMETHEUS_CONTENT_TYPE).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts a one-label series once whether its value comes as a number or a string', () => {
    const r = new MetricsRegistry();
    const codes = r.counter({ name: 'codes_total', help: 'Codes.', labelNames: ['code'] });
    codes.inc({ code: 200 });
    codes.inc({ code: '200' });
    codes.inc({ code: 200 }, 2);
    codes.inc({ code: 'a"b' });
    expect(r.render().split('\n').slice(2, -1)).toEqual(['codes_total{code="200"} 4', 'codes_total{code="a\\"b"} 1']);
  });

  it('renders a histogram as cumulative buckets, +Inf, sum and count', () => {
    const r = new MetricsRegistry();
    const h = r.histogram({ name: 'ack_seconds', help: 'ACK time.', labelNames: ['t'], buckets: [0.1, 1] });
    h.observe({ t: 'ws' }, 0.05);
    h.observe({ t: 'ws' }, 0.1);
    h.with({ t: 'ws' }).observe(0.5);
    h.observe({ t: 'ws' }, 7);
    expect(r.render().split('\n').slice(2, -1)).toEqual([
      'ack_seconds_bucket{t="ws",le="0.1"} 2',
      'ack_seconds_bucket{t="ws",le="1"} 3',
      'ack_seconds_bucket{t="ws",le="+Inf"} 4',
      'ack_seconds_sum{t="ws"} 7.65',
      'ack_seconds_count{t="ws"} 4',
    ]);
  });

  it('escapes label values and help text', () => {
    const r = new MetricsRegistry();
    r.counter({ name: 'c', help: 'a\\b\nc', labelNames: ['v'] }).inc({ v: 'x"y\\z\nw' });
    expect(r.render()).toContain('# HELP c a\\\\b\\nc');
    expect(r.render()).toContain('c{v="x\\"y\\\\z\\nw"} 1');
  });

  it('runs collect hooks before rendering, until removed', () => {
    const r = new MetricsRegistry();
    const g = r.gauge({ name: 'g', help: 'g' });
    let n = 0;
    const off = r.onCollect(() => g.set(undefined, ++n));
    expect(r.render()).toContain('g 1');
    expect(r.render()).toContain('g 2');
    off();
    expect(r.render()).toContain('g 2');
  });

  it('rejects bad names, reserved or duplicate labels, duplicate metrics, bad buckets and negative increments', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter({ name: '1x', help: '' })).toThrow(TypeError);
    expect(() => r.counter({ name: 'x', help: '', labelNames: ['__a'] })).toThrow(TypeError);
    expect(() => r.counter({ name: 'x', help: '', labelNames: ['a', 'a'] })).toThrow(TypeError);
    expect(() => r.histogram({ name: 'h', help: '', labelNames: ['le'] })).toThrow(TypeError);
    expect(() => r.histogram({ name: 'h', help: '', buckets: [1, 1] })).toThrow(RangeError);
    const c = r.counter({ name: 'x', help: '', labelNames: ['a'] });
    expect(() => r.gauge({ name: 'x', help: '' })).toThrow(TypeError);
    expect(() => c.inc({ a: '1' }, -1)).toThrow(RangeError);
    expect(() => c.with({ a: '1' }).inc(-1)).toThrow(RangeError);
    expect(() => c.inc()).toThrow(TypeError);
    expect(() => c.inc({} as { a: string })).toThrow(TypeError);
  });

  it('renders a labelled metric without series as HELP and TYPE only', () => {
    const r = new MetricsRegistry();
    r.counter({ name: 'x', help: 'h', labelNames: ['a'] });
    expect(r.render()).toBe('# HELP x h\n# TYPE x counter\n');
    expect(new MetricsRegistry().render()).toBe('');
  });
});
