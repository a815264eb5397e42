import { describe, expect, it } from 'vitest';
import { resolveTransportOptions, TRANSPORT_DEFAULTS } from './options.js';

describe('transport options', () => {
  it('fills in the documented defaults', () => {
    expect(resolveTransportOptions()).toEqual(TRANSPORT_DEFAULTS);
    expect(TRANSPORT_DEFAULTS).toMatchObject({ port: 9394, idleTimeoutMs: 128_000 });
    expect(resolveTransportOptions({ port: 0, idleTimeoutMs: undefined })).toMatchObject({
      port: 0,
      idleTimeoutMs: 128_000,
    });
  });

  it('throws TypeError for unknown options and wrong types', () => {
    expect(() => resolveTransportOptions({ maxPayload: 1 } as never)).toThrow(TypeError);
    expect(() => resolveTransportOptions({ port: '80' } as never)).toThrow(TypeError);
    expect(() => resolveTransportOptions({ idleTimeoutMs: 1.5 })).toThrow(TypeError);
    expect(() => resolveTransportOptions({ host: '' })).toThrow(TypeError);
  });

  it('throws RangeError for values out of range', () => {
    expect(() => resolveTransportOptions({ port: 65536 })).toThrow(RangeError);
    expect(() => resolveTransportOptions({ maxPayloadBytes: 0 })).toThrow(RangeError);
    expect(() => resolveTransportOptions({ maxPayloadBytes: 2 ** 30 + 1, maxUnsentBytes: 2 ** 31 })).toThrow(
      RangeError,
    );
    expect(() => resolveTransportOptions({ firstBytesTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => resolveTransportOptions({ maxHeaderBytes: 100 })).toThrow(RangeError);
  });

  it('throws RangeError for contradictory options', () => {
    expect(() => resolveTransportOptions({ maxPayloadBytes: 2048, maxUnsentBytes: 1024 })).toThrow(RangeError);
    expect(() => resolveTransportOptions({ idleTimeoutMs: 1000, firstBytesTimeoutMs: 2000 })).toThrow(RangeError);
    expect(resolveTransportOptions({ idleTimeoutMs: 0, firstBytesTimeoutMs: 2000 }).idleTimeoutMs).toBe(0);
  });
});
