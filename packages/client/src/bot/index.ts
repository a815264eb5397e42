// @dimkit/client bots: the group assistant (wire spec §4.8, station spec §3.3).
export { GroupAssistant } from './group-assistant.js';
export type {
  AssistantRefusalEvent,
  GroupAssistantEvents,
  GroupAssistantOptions,
  RelayedEvent,
  SplitEvent,
} from './group-assistant.js';
