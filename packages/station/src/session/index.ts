// The station's session area: one Session per client connection, the handshake (station spec §2.2), and
// presence (who is connected, on how many devices).
export { Session } from './session.js';
export type { SessionLimits, SessionProcessor } from './session.js';
export { Presence } from './presence.js';
export { HI_BACK, SAY_HI, handshakeOutcome, handshakeReply, remoteAddress } from './handshake.js';
export type { HandshakeOutcome } from './handshake.js';
export { SESSION_KEY_BYTES, createSessionKey, sessionKeyMatches } from './session-key.js';
