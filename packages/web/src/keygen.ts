import type { JsonObject } from '@dimkit/protocol/encoding';

export interface KeygenRequest {
  readonly name: string;
  readonly appId: string;
}

export type KeygenReply =
  | { readonly ok: true; readonly identity: JsonObject; readonly ms: number }
  | { readonly ok: false; readonly error: string };

/** Makes a new identity (ECC identity key, RSA visa key) in a worker; resolves with its file form. */
export function generateIdentity(request: KeygenRequest): Promise<{ identity: JsonObject; ms: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./keygen-worker.ts', import.meta.url), { type: 'module', name: 'keygen' });
    worker.onmessage = (event: MessageEvent<KeygenReply>) => {
      worker.terminate();
      const reply = event.data;
      if (reply.ok) resolve({ identity: reply.identity, ms: reply.ms });
      else reject(new Error(reply.error));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || 'key generation failed'));
    };
    worker.postMessage(request);
  });
}
