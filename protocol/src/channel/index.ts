export * from './client-messages.js';
export * from './bridge-messages.js';
export {
  type ChannelMessage,
  type ChannelMessageOf,
  type ColibriClass,
  CHANNEL_SCHEMAS,
  parseChannelMessage,
  validateChannelMessage,
  buildChannelMessage,
} from './channel-message.js';
