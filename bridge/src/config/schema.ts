import { z } from 'zod';
import { Domain, JidPattern, LogLevel, Port, Secret } from '@convene/protocol/config';

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
export const BridgeConfigSchema = z
  .strictObject({
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
    /**
     * Real JIDs whose Colibri2 and health IQs are taken (full JID, bare JID or domain), whatever their brewery nick;
     * default `focus@auth.<domain>` (Jicofo, the focus in client mode) and `focus.<domain>` (the focus component).
     */
    allowedFocusJids: z.array(JidPattern).min(1).optional(),
    /** How often the stats presence is republished (JVB presence-interval). */
    presenceIntervalMs: Millis.default(5000),
    region: z.string().min(1).optional(),
    /**
     * Private HTTP server (JVB `http-servers.private`): REST (`/colibri/*`, `/about/*`), `/metrics`, drain and
     * shutdown. Never expose it: it has no authentication, as JVB's has none.
     */
    httpPort: PortOrZero.default(8080),
    httpBindAddress: z.string().min(1).default('127.0.0.1'),
    /**
     * Public HTTP server (JVB `http-servers.public`, 9090 in Jitsi's packages): colibri-ws only, every other path is
     * a 404. Loopback by default: a proxy (Jitsi's nginx) forwards `/colibri-ws/` to it.
     */
    publicHttpPort: PortOrZero.default(9090),
    publicHttpBindAddress: z.string().min(1).default('127.0.0.1'),
    /** Base of the colibri-ws URLs handed to clients, e.g. `wss://meet.example.com`; default the public server's. */
    websocketBaseUrl: z.url({ error: 'expected a ws:// or wss:// URL' }).optional(),
    /**
     * Offer colibri-ws (JVB `videobridge.websockets.enabled`). Off: transports carry no `web-socket` URL and clients
     * must use the SCTP data channel for the bridge channel; upgrades are still answered, for URLs handed out before.
     */
    websocketsEnabled: z.boolean({ error: 'expected true or false' }).default(true),
    /** `<server-id>` in colibri-ws URLs (JVB default `default-id`). */
    serverId: Nick.default('default-id'),
    /**
     * Largest bridge-channel message accepted, in bytes; a bigger one closes the channel (1009). lib-jitsi-meet's
     * biggest, EndpointStats and ReceiverVideoConstraints in a large call, stay well under 16 KiB.
     */
    channelMaxMessageBytes: z.number().int().min(1024).max(1_048_576).default(16_384),
    /**
     * Messages per second one endpoint may send on its bridge channel (token bucket, bursts of 5 s worth). Beyond it
     * messages are dropped and counted; as many drops again in a burst closes the channel (1008).
     */
    channelMessagesPerSecond: z.number().int().min(1).default(20),
    /** Bytes per second one endpoint may send on its bridge channel, same bucket rules. */
    channelBytesPerSecond: z.number().int().min(1024).default(65_536),
    /** A channel whose unsent data passes this many bytes (a client that stops reading) is closed. */
    channelMaxSendBacklogBytes: z.number().int().min(16_384).default(1_048_576),
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
    /** Video height a receiver gets before its first ReceiverVideoConstraints: 0 as JVB (nothing), -1 unlimited. */
    initialMaxHeightPx: z.number().int().min(-1).default(0),
    /** The bridge's last-N limit, combined with each receiver's (JVB jvb-last-n); -1 for none. */
    lastN: z.number().int().min(-1).default(-1),
    /**
     * SSRC rewriting (endpoints with Colibri2 capability `ssrc-rewriting`): the video sources (each with an RTX SSRC)
     * and audio sources one receiver gets on SSRCs of its own at once; more are mapped onto the least recently used
     * (JVB's `videobridge.ssrc-limit`: 50 and 50).
     */
    ssrcLimitVideo: z.number().int().min(1).max(500).default(50),
    ssrcLimitAudio: z.number().int().min(1).max(500).default(50),
    /** XMPP ping to Prosody this often; no answer within the interval drops the connection and reconnects. */
    xmppPingIntervalMs: Millis.default(30_000),
    /** Packet rate (in + out per second) that counts as stress 1.0 (JVB packet-rate load threshold). */
    maxPacketRate: z.number().int().min(1).default(50_000),
    /** The share of time the bridge's JavaScript thread may be busy at stress 1.0 (stress takes the higher). */
    maxLoopUtilization: z.number().gt(0).max(1).default(0.8),
    /** SRTP: `auto` = the native addon (bridge/native/srtp) if it loads, else node:crypto; `native` fails if absent. */
    srtpImplementation: z
      .enum(['auto', 'native', 'node'], { error: 'expected one of auto, native, node' })
      .default('auto'),
    /** UDP socket: `auto` = the native addon's batched one (recvmmsg/sendmmsg) if it loads, else node's dgram. */
    udpImplementation: z
      .enum(['auto', 'native', 'node'], { error: 'expected one of auto, native, node' })
      .default('auto'),
    logLevel: LogLevel.default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.channelBytesPerSecond * 5 < c.channelMaxMessageBytes)
      ctx.addIssue({
        code: 'custom',
        path: ['channelBytesPerSecond'],
        message: 'must allow at least one message of channelMaxMessageBytes in its 5 s burst',
      });
    if (c.httpPort !== 0 && c.httpPort === c.publicHttpPort)
      ctx.addIssue({
        code: 'custom',
        path: ['publicHttpPort'],
        message: 'must differ from httpPort: the public server (colibri-ws) and the private one (REST) are separate',
      });
  });

export type BridgeConfig = z.infer<typeof BridgeConfigSchema>;
