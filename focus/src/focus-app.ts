import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { JidAllowList } from '@convene/protocol/lib';
import { BridgeDoctor } from './bridges/bridge-doctor.js';
import { Brewery } from './bridges/brewery.js';
import { ConferenceManager } from './conference/conference-manager.js';
import type { FocusConfig } from './config/schema.js';
import { createFocusHttp } from './http/focus-http.js';
import { createFocusMetrics } from './metrics/focus-metrics.js';
import { MucRoom } from './muc/muc-room.js';
import { FocusConnection } from './xmpp/focus-connection.js';

export const FOCUS_VERSION = 'convene-0.1.0';

/** Everything the focus runs, wired once from its config. */
export class FocusApp {
  readonly conn: FocusConnection;
  readonly brewery: Brewery;
  readonly manager: ConferenceManager;
  readonly #breweryRoom: MucRoom;
  readonly #doctor: BridgeDoctor;
  readonly #http: Server;
  readonly #log: Logger;
  #closing: Promise<void> | undefined;

  private constructor(config: FocusConfig, log: Logger) {
    this.#log = log;
    const focusDomain = config.focusDomain ?? `focus.${config.domain}`;
    const authDomain = `auth.${config.domain}`;
    const client = config.xmppMode === 'client';
    // The focus's real JID in rooms: a node part `focus` either way (Jitsi's Prosody modules key on it).
    const focusJid = client ? `${config.xmppUser}@${authDomain}` : `focus@${focusDomain}`;
    const breweryJid = config.breweryRoom ?? `jvbbrewery@internal.auth.${config.domain}`;
    this.conn = new FocusConnection({
      mode: config.xmppMode,
      service: `xmpp://${config.xmppHost}:${client ? config.c2sPort : config.componentPort}`,
      domain: client ? authDomain : focusDomain,
      username: config.xmppUser,
      resource: config.nick,
      secret: (client ? config.xmppPassword : config.componentSecret) ?? '',
      log: log.child({ component: 'xmpp' }),
    });
    this.#breweryRoom = new MucRoom(this.conn, {
      roomJid: breweryJid,
      nick: config.nick,
      focusJid,
      log: log.child({ room: breweryJid }),
    });
    this.brewery = new Brewery(
      this.#breweryRoom,
      new JidAllowList(config.allowedBridgeJids ?? [`jvb@${authDomain}`]),
      log.child({ component: 'brewery' }),
      { failureResetMs: config.bridgeFailureResetMs },
    );
    this.conn.on('presence', (p) => {
      if (String(p.attrs.from ?? '').split('/')[0] === breweryJid) this.#breweryRoom.handlePresence(p);
    });
    this.manager = new ConferenceManager(
      this.conn,
      this.brewery,
      {
        nick: config.nick,
        focusJid,
        version: FOCUS_VERSION,
        videoCodecs: config.videoCodecs,
        minParticipants: config.minParticipants,
        singleParticipantTimeoutMs: config.singleParticipantTimeoutMs,
        sctp: config.sctp,
        ssrcRewriting: config.ssrcRewriting,
        mucDomain: config.mucDomain ?? `conference.${config.domain}`,
        breakoutMucDomain: config.breakoutMucDomain ?? `breakout.${config.domain}`,
        avModerationComponent: config.avModerationComponent ?? `avmoderation.${config.domain}`,
        initialTimeoutMs: config.initialTimeoutMs,
        maxConferences: config.maxConferences,
        newConferencesPerRequester: config.newConferencesPerRequester,
        newConferenceWindowMs: config.newConferenceWindowMs,
        newConferencesPerAnonymousDomain: config.newConferencesPerAnonymousDomain,
        // Secure domain: guests log in anonymously on guest.<domain> (docker-jitsi-meet's XMPP_GUEST_DOMAIN).
        anonymousDomains: config.anonymousDomains ?? [
          config.authentication === 'xmpp' ? `guest.${config.domain}` : config.domain,
        ],
        ...(config.authentication === 'xmpp'
          ? {
              authentication: {
                domain: config.authenticationDomain ?? config.domain,
                lifetimeMs: config.authenticationLifetimeMs,
              },
            }
          : {}),
        ...(client ? { clientProxy: focusDomain.toLowerCase() } : {}),
        capsCacheSize: config.capsCacheSize,
        capsCacheTtlMs: config.capsCacheTtlMs,
      },
      log.child({ component: 'conference' }),
    );
    this.#doctor = new BridgeDoctor({
      conn: this.conn,
      brewery: this.brewery,
      from: this.#breweryRoom.ownJid,
      options: {
        intervalMs: config.healthCheckIntervalMs,
        retryMs: config.healthCheckTimeoutMs,
        timeoutMs: config.healthCheckTimeoutMs,
      },
      log: log.child({ component: 'doctor' }),
      onFailed: (b) => this.manager.bridgeFailed(b),
    });
    const registry = createFocusMetrics(this.manager, this.brewery, this.conn, () => this.#doctor.failures);
    this.#http = createFocusHttp({
      manager: this.manager,
      registry,
      version: FOCUS_VERSION,
      trustedProxies: config.trustedProxies,
      log,
      health: () => this.health(),
      stats: () => this.stats(),
    });
  }

  /** Connects to Prosody, joins the brewery, then serves HTTP. Rejects (and cleans up) if any of that fails. */
  static async start(config: FocusConfig, log: Logger): Promise<FocusApp> {
    const app = new FocusApp(config, log);
    try {
      await app.conn.start();
      await app.#breweryRoom.join();
      app.#doctor.start();
      app.conn.on(
        'online',
        () => void app.#breweryRoom.rejoin().catch((err: unknown) => log.warn({ err }, 'brewery rejoin failed')),
      );
      await new Promise<void>((resolve, reject) => {
        app.#http.once('error', reject);
        app.#http.listen(config.httpPort, config.httpBindAddress, resolve);
      });
    } catch (err) {
      await app.close();
      throw err;
    }
    log.info({ httpPort: app.httpPort }, 'focus ready');
    return app;
  }

  get httpPort(): number {
    return (this.#http.address() as AddressInfo | null)?.port ?? 0;
  }

  /**
   * Jicofo's health check: unhealthy while not connected to Prosody, or with no bridge that could take a conference
   * (operational and not shutting down), since then no call can start.
   */
  health(): { healthy: boolean; reason?: string } {
    if (!this.conn.online) return { healthy: false, reason: 'not connected to the XMPP server' };
    const now = Date.now();
    const usable = this.brewery.bridges.filter((b) => b.isOperational(now) && !b.state.shuttingDown).length;
    if (usable === 0)
      return {
        healthy: false,
        reason: `No operational bridges available (total bridge count: ${this.brewery.bridges.length})`,
      };
    return { healthy: true };
  }

  stats(): Record<string, unknown> {
    const sizes = [...this.manager.conferences.values()].map((c) => c.participants.size);
    return {
      conferences: this.manager.conferences.size,
      participants: this.manager.participantCount,
      largest_conference: Math.max(0, ...sizes),
      total_conferences_created: this.manager.totals.conferencesCreated,
      total_participants: this.manager.totals.participants,
      bridge_selector: {
        bridge_count: this.brewery.bridges.length,
        operational_bridge_count: this.brewery.bridges.filter((b) => b.isOperational(Date.now())).length,
        in_shutdown_bridge_count: this.brewery.bridges.filter((b) => b.state.gracefulShutdown || b.state.shuttingDown)
          .length,
      },
      bridges: this.brewery.bridges.map((b) => ({
        id: b.id,
        stress: b.state.stressLevel,
        region: b.state.region,
        version: b.state.version,
      })),
      healthy: this.health().healthy,
      version: FOCUS_VERSION,
    };
  }

  /** Idempotent: a second call waits for the first. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#doctor.stop();
    await this.manager.close().catch((err: unknown) => this.#log.warn({ err }, 'closing conferences failed'));
    await this.#breweryRoom.leave().catch((err: unknown) => this.#log.debug({ err }, 'leaving the brewery failed'));
    await new Promise<void>((resolve) => (this.#http.listening ? this.#http.close(() => resolve()) : resolve()));
    await this.conn.stop().catch((err: unknown) => this.#log.warn({ err }, 'xmpp stop failed'));
  }
}
