export {
  BridgeXmpp,
  type BridgeXmppOptions,
  type BridgeXmppEvents,
  type IqRequest,
  type IqRoute,
} from './bridge-xmpp.js';
export { toXmppElement } from './bridge-xmpp.js';
export { buildStatsElement, buildBreweryPresence, type StatValue } from './stats-presence.js';
export { addBasicRoutes, healthcheck, NS_VERSION, type BasicRoutesOptions } from './basic-routes.js';
export { BreweryOccupants } from './brewery-occupants.js';
