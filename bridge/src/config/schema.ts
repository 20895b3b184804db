import { z } from 'zod';
import { Domain, LogLevel, Port, Secret } from '@convene/protocol/config';

/** A port where 0 means "pick a free one" (tests, several bridges on one host). */
const PortOrZero = z
  .number({ error: 'expected a port number 0..65535' })
  .int({ error: 'expected a port number 0..65535' })
  .min(0, { error: 'expected a port number 0..65535' })
  .max(65535, { error: 'expected a port number 0..65535' });

/** A MUC nick / bridge id: what lib-jitsi-meet and Prosody accept without escaping. */
const Nick = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, { error: 'expected letters, digits, _ . -' });

const Millis = z.number({ error: 'expected milliseconds' }).int().min(100, { error: 'expected at least 100 ms' });

/** Configuration of the bridge: file (`--config`), env `CONVENE_BRIDGE_*`, flags `--kebab-case`. */
export const BridgeConfigSchema = z.strictObject({
  /** Client domain; the bridge account lives on `auth.<domain>`, the brewery on `internal.auth.<domain>`. */
  domain: Domain.default('meet.localhost'),
  /** Prosody's c2s listener. */
  xmppHost: z.string().min(1).default('127.0.0.1'),
  xmppPort: Port.default(5222),
  /** Local part of the bridge account `<user>@auth.<domain>`. */
  xmppUser: z.string().min(1).default('jvb'),
  xmppPassword: Secret,
  /** The brewery MUC; defaults to `jvbbrewery@internal.auth.<domain>`. */
  breweryRoom: z.string().min(3).optional(),
  /** This bridge's id: its brewery nick (JVB: MUC_NICKNAME); defaults to `jvb-<hostname>`. */
  bridgeId: Nick.optional(),
  /** Colibri2 and healthcheck IQs are taken only from this brewery occupant (PROTOCOL.md §10). */
  focusNick: Nick.default('focus'),
  /** How often the stats presence is republished (JVB presence-interval). */
  presenceIntervalMs: Millis.default(5000),
  region: z.string().min(1).optional(),
  /** HTTP server: REST, /metrics and colibri-ws. Loopback by default: put a proxy in front for colibri-ws. */
  httpPort: PortOrZero.default(8080),
  httpBindAddress: z.string().min(1).default('127.0.0.1'),
  /** Base of the colibri-ws URLs handed to clients, e.g. `wss://meet.example.com`; default `ws://<bind>:<port>`. */
  websocketBaseUrl: z.url({ error: 'expected a ws:// or wss:// URL' }).optional(),
  /** `<server-id>` in colibri-ws URLs (JVB default `default-id`). */
  serverId: Nick.default('default-id'),
  /** UDP port for all media (0 = free port). */
  mediaPort: PortOrZero.default(10000),
  mediaBindAddress: z.string().min(1).default('0.0.0.0'),
  /** Host candidate addresses advertised to clients (public address or NAT mapping in production). */
  advertisedAddresses: z.array(z.string().min(1)).min(1).default(['127.0.0.1']),
  /**
   * Send ICE checks to loopback (127/8) and link-local (169.254/16) candidates a participant signals. Off: a
   * participant must not make the bridge probe its own host. Only for a bridge whose clients share its host.
   */
  allowLocalCandidates: z.boolean({ error: 'expected true or false' }).default(false),
  /** An endpoint whose ICE has not connected this long after creation is expired. */
  endpointConnectTimeoutMs: Millis.default(60_000),
  /** A conference that never had, or no longer has, endpoints is expired after this long. */
  conferenceIdleTimeoutMs: Millis.default(60_000),
  /** More conference creates than this are refused with `resource-constraint` (a flood must not exhaust memory). */
  maxConferences: z.number().int().min(1).default(1000),
  /** XMPP ping to Prosody this often; no answer within the interval drops the connection and reconnects. */
  xmppPingIntervalMs: Millis.default(30_000),
  /** Packet rate (in + out per second) that counts as stress 1.0 (JVB packet-rate load threshold). */
  maxPacketRate: z.number().int().min(1).default(50_000),
  /** SRTP: `auto` = the native addon (bridge/native/srtp) if it loads, else node:crypto; `native` fails if absent. */
  srtpImplementation: z
    .enum(['auto', 'native', 'node'], { error: 'expected one of auto, native, node' })
    .default('auto'),
  logLevel: LogLevel.default('info'),
});

export type BridgeConfig = z.infer<typeof BridgeConfigSchema>;
