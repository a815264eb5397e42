// @dimkit/crypto-node: the node:crypto backend for @dimkit/protocol keys.
export { nodeBackend } from './node-backend.js';
