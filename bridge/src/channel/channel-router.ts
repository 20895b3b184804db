import type { EndpointMessage, JsonObject } from './channel-message.js';

/** One message to send to one endpoint of the sender's conference. */
export interface Delivery {
  to: string;
  message: JsonObject;
}

export type RouteResult = { deliveries: Delivery[] } | { dropped: 'unknown-target' };

/**
 * Where an EndpointMessage / EndpointStats goes: `members` are the endpoints of the sender's conference that have
 * a channel open, so nothing can leave the conference. `from` is set by the bridge, never trusted from the sender.
 */
export function routeEndpointMessage(from: string, msg: EndpointMessage, members: Iterable<string>): RouteResult {
  const message: JsonObject = { ...msg.raw, from };
  if (msg.colibriClass === 'EndpointMessage' && msg.to !== '') {
    for (const m of members) if (m === msg.to && m !== from) return { deliveries: [{ to: m, message }] };
    return { dropped: 'unknown-target' };
  }
  const deliveries: Delivery[] = [];
  for (const m of members) if (m !== from) deliveries.push({ to: m, message });
  return { deliveries };
}
