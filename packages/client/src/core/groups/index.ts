// Groups (wire spec §4.8, §6.6; station spec §3.3): member lists, their rules, and group messaging.
export { Groups } from './groups.js';
export type {
  GroupChangeEvent,
  GroupCommandEvent,
  GroupInfo,
  GroupRefusalEvent,
  GroupRequestEvent,
  GroupSendResult,
  GroupsErrorEvent,
  GroupsEvents,
  GroupsOptions,
} from './groups.js';
export { applyGroupCommand } from './membership.js';
export type { Membership, MembershipOutcome } from './membership.js';
export { bulletinRoles, isFounderMeta } from './roles.js';
export type { BulletinRoles, GroupRoles } from './roles.js';
export { commandRecipients, GROUP_SPLIT_MEMBERS, planGroupDelivery } from './delivery-plan.js';
export type { GroupDeliveryInput, GroupDeliveryPlan } from './delivery-plan.js';
export { groupRecordToJson, MAX_GROUP_REQUESTS, parseGroupRecord } from './group-record.js';
export type { GroupRecord } from './group-record.js';
export { SettingsGroupStore } from './group-store.js';
export { packBroadcast, packGroupDocuments } from './group-history.js';
export type { GroupStore } from './group-store.js';
