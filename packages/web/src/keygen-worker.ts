// Runs in a Web Worker: RSA-1024 generation in pure JS takes a moment, and the page must stay responsive.
import { createIdentity, identityToJson } from '@dimkit/protocol/account';
import type { KeygenReply, KeygenRequest } from './keygen.js';

const scope = self as unknown as {
  onmessage: ((event: { data: KeygenRequest }) => void) | null;
  postMessage(message: KeygenReply): void;
};

scope.onmessage = (event) => {
  const started = performance.now();
  try {
    // An ETH user: ECC (secp256k1) identity key and an RSA-1024 visa key, as reference clients make them.
    const identity = createIdentity({
      kind: 'eth',
      name: event.data.name,
      properties: { app_id: event.data.appId },
    });
    scope.postMessage({ ok: true, identity: identityToJson(identity), ms: performance.now() - started });
  } catch (error) {
    scope.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
};
