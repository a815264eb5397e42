// The station's routing area (station spec §3, §4): the core that turns received messages into replies,
// deliveries and inbox entries.
export { Router } from './router.js';
export type { RouterOptions } from './router.js';
export { Delivery } from './delivery.js';
export type { DeliveryOptions, DeliveryOutcome } from './delivery.js';
export { ContactCache, CONTACT_CACHE_SIZE } from './contacts.js';
export type { KnownEntity } from './contacts.js';
export { destinationOf } from './receiver.js';
export type { Destination } from './receiver.js';
export { ReceiptText, createReceipt, stationReceiptOrigin } from './receipt.js';
export type { ReceiptExtra } from './receipt.js';
export { createStationMetrics } from './metrics.js';
export type { RefusalReason, StationMetrics } from './metrics.js';
export { MAX_FUTURE_SECONDS, learnAttachments } from './attachments.js';
export { sealReply } from './reply.js';
