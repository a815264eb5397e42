import { isDimError } from '@dimkit/protocol';
import { describe, expect, it } from 'vitest';
import { xhrFileTransfer, type XhrLike } from './xhr-transfer.js';

type Script = (xhr: FakeXhr) => void;

/** An XMLHttpRequest double: `script` plays the network once `send` is called. */
class FakeXhr implements XhrLike {
  static script: Script = () => {};
  static last: FakeXhr | undefined;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: Uint8Array | null | undefined;
  responseType = '';
  status = 0;
  response: unknown = null;
  responseText = '';
  timeout = 0;
  aborted = false;
  upload: XhrLike['upload'] = { onprogress: null };
  onprogress: XhrLike['onprogress'] = null;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  ontimeout: (() => void) | null = null;

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
    FakeXhr.last = this;
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  getResponseHeader(): string | null {
    return null;
  }
  send(body?: Uint8Array | null): void {
    this.body = body;
    queueMicrotask(() => FakeXhr.script(this));
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
}

const transfer = () => xhrFileTransfer({ XMLHttpRequest: FakeXhr });
const request = {
  url: 'http://st/upload?filename=f.jpg',
  body: new Uint8Array(1000),
  headers: { 'x-dim-sender': 'a' },
};

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isDimError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a DimError');
}

describe('xhrFileTransfer', () => {
  it('uploads with the signed headers and reports upload progress up to the total', async () => {
    FakeXhr.script = (xhr) => {
      xhr.upload.onprogress?.({ loaded: 400, total: 1000, lengthComputable: true });
      xhr.upload.onprogress?.({ loaded: 1000, total: 1000, lengthComputable: true });
      xhr.status = 201;
      xhr.responseText = JSON.stringify({ URL: 'http://st/files/abc.jpg', name: 'abc.jpg', length: 1000 });
      xhr.onload?.();
    };
    const progress: [number, number | undefined][] = [];
    const result = await transfer().upload(request, (done, total) => progress.push([done, total]));
    expect(result).toEqual({ url: 'http://st/files/abc.jpg', name: 'abc.jpg' });
    expect(FakeXhr.last).toMatchObject({ method: 'POST', url: request.url, headers: { 'x-dim-sender': 'a' } });
    expect(FakeXhr.last!.body).toBe(request.body);
    expect(progress).toEqual([
      [0, 1000],
      [400, 1000],
      [1000, 1000],
      [1000, 1000],
    ]);
  });

  it('maps refusals: 413 is file.too_large, other statuses and network errors file.transfer', async () => {
    FakeXhr.script = (xhr) => {
      xhr.status = 413;
      xhr.responseText = '{"error":"too_large"}';
      xhr.onload?.();
    };
    expect(await code(transfer().upload(request))).toBe('file.too_large');
    FakeXhr.script = (xhr) => {
      xhr.status = 401;
      xhr.responseText = '{"error":"unauthenticated"}';
      xhr.onload?.();
    };
    expect(await code(transfer().upload(request))).toBe('file.transfer');
    FakeXhr.script = (xhr) => xhr.onerror?.();
    expect(await code(transfer().upload(request))).toBe('file.transfer');
    expect(await code(transfer().download('http://st/files/x'))).toBe('file.transfer');
  });

  it('downloads bytes with progress', async () => {
    FakeXhr.script = (xhr) => {
      xhr.onprogress?.({ loaded: 2, total: 4, lengthComputable: true });
      xhr.status = 200;
      xhr.response = new Uint8Array([1, 2, 3, 4]).buffer;
      xhr.onload?.();
    };
    const progress: [number, number | undefined][] = [];
    const bytes = await transfer().download('http://st/files/x', { onProgress: (d, t) => progress.push([d, t]) });
    expect([...bytes]).toEqual([1, 2, 3, 4]);
    expect(FakeXhr.last!.responseType).toBe('arraybuffer');
    expect(progress).toEqual([
      [0, undefined],
      [2, 4],
      [4, 4],
    ]);
  });

  it('aborts a download that grows past maxBytes, and refuses a 404', async () => {
    FakeXhr.script = (xhr) => xhr.onprogress?.({ loaded: 10, total: 0, lengthComputable: false });
    expect(await code(transfer().download('http://st/files/x', { maxBytes: 8 }))).toBe('file.too_large');
    expect(FakeXhr.last!.aborted).toBe(true);
    FakeXhr.script = (xhr) => xhr.onprogress?.({ loaded: 0, total: 100, lengthComputable: true });
    expect(await code(transfer().download('http://st/files/x', { maxBytes: 50 }))).toBe('file.too_large');
    FakeXhr.script = (xhr) => {
      xhr.status = 404;
      xhr.onload?.();
    };
    expect(await code(transfer().download('http://st/files/x'))).toBe('file.transfer');
  });

  it('needs an XMLHttpRequest class', () => {
    expect(() => xhrFileTransfer()).toThrow(TypeError);
  });
});
