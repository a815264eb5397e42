// The baselines of the station relay benchmark, one process each.
//
// Without arguments: a bare `ws` relay. Each client connects to `/?id=<ID>`; every text frame is parsed as JSON
// and forwarded, as the same bytes, to the client named by its `receiver`; `ACK:` frames are dropped. No
// handshake, no store, no limits, no receipts: the least a relay of DIM messages over WebSocket must do.
//
// With `--receipts` (informational): the same, plus the one piece of protocol work a station cannot skip for a
// relayed message — when the receiver's `ACK:` comes back, a "Message delivered." receipt sealed by a station
// identity (RSA-1024, type-1 meta, as `dim station` creates) with the station's own `createReceipt` and
// `sealReply`, sent to the sender. The receipts are encrypted for one throwaway RSA key rather than each
// user's visa key: with the message-key cache the key wrap is a one-off per receiver either way.
//
// Prints {"port":N,"id":"<receipt signer ID>"} once listening; runs until SIGTERM.
import { nodeBackend } from '@dimkit/crypto-node';
import { createIdentity, identityEncryptionKey } from '@dimkit/protocol/account';
import { CipherKeyCache } from '@dimkit/protocol/dkd';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { router } from '@dimkit/station';
import { WebSocketServer, type WebSocket } from 'ws';

const RECEIPTS = process.argv.includes('--receipts');
const ACK = 0x41; // 'A'

const station = createIdentity({ kind: 'mkm', entity: 'station', seed: 'station', backend: nodeBackend });
const receiptKey = identityEncryptionKey(createIdentity({ kind: 'eth', backend: nodeBackend }), nodeBackend);
const keyCache = new CipherKeyCache();

const clients = new Map<string, WebSocket>();
/** Forwarded messages awaiting their receiver's ACK (with `--receipts`), by signature. */
const awaiting = new Map<string, { sender: WebSocket; message: JsonObject; recipient: string }>();

function acknowledged(frame: Buffer): void {
  let signature: unknown;
  try {
    signature = (JSON.parse(frame.toString('utf8', 4)) as { signature?: unknown }).signature;
  } catch {
    return;
  }
  const entry = typeof signature === 'string' ? awaiting.get(signature) : undefined;
  if (entry === undefined) return;
  awaiting.delete(signature as string);
  const content = router.createReceipt(router.ReceiptText.DELIVERED, entry.message, {
    fields: { recipient: entry.recipient },
  });
  const sender = entry.message['sender'] as string;
  entry.sender.send(router.sealReply(station, sender, receiptKey, content, { keyCache, backend: nodeBackend }), {
    binary: false,
  });
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 4 << 20 });
server.on('connection', (ws, request) => {
  const id = new URL(request.url ?? '/', 'ws://relay').searchParams.get('id');
  if (id === null) {
    ws.close(1008, 'id required');
    return;
  }
  clients.set(id, ws);
  ws.on('message', (data: Buffer) => {
    if (data[0] === ACK) {
      if (RECEIPTS) acknowledged(data);
      return;
    }
    let message: JsonObject;
    try {
      message = JSON.parse(data.toString('utf8')) as JsonObject;
    } catch {
      return;
    }
    const receiver = message['receiver'];
    const target = typeof receiver === 'string' ? clients.get(receiver) : undefined;
    if (target === undefined) return;
    if (RECEIPTS && typeof message['signature'] === 'string') {
      awaiting.set(message['signature'], { sender: ws, message, recipient: receiver as string });
    }
    target.send(data, { binary: false });
  });
  ws.on('close', () => {
    if (clients.get(id) === ws) clients.delete(id);
  });
  ws.on('error', () => {});
});
server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  console.log(JSON.stringify({ port, id: station.id.text }));
});
process.on('SIGTERM', () => {
  for (const ws of clients.values()) ws.terminate();
  server.close(() => process.exit(0));
});
