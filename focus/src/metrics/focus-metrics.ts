import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Brewery } from '../bridges/brewery.js';
import type { ConferenceManager } from '../conference/conference-manager.js';
import type { FocusConnection } from '../xmpp/focus-connection.js';

/** The focus's Prometheus registry; every value is read at scrape time (names: STYLE.md 2.3, Jicofo's words). */
export function createFocusMetrics(
  manager: ConferenceManager,
  brewery: Brewery,
  conn: FocusConnection,
  healthCheckFailures: () => number = () => 0,
): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  gauge('convene_focus_conferences', 'Conferences this focus runs', () => manager.conferences.size);
  gauge('convene_focus_participants', 'Participants in those conferences', () => manager.participantCount);
  gauge('convene_focus_largest_conference', 'Participants in the largest conference', () =>
    Math.max(0, ...[...manager.conferences.values()].map((c) => c.participants.size)),
  );
  gauge('convene_focus_bridges', 'Bridges in the brewery', () => brewery.bridges.length);
  gauge(
    'convene_focus_bridges_operational',
    'Bridges selection may use',
    () => brewery.bridges.filter((b) => b.isOperational(Date.now()) && !b.state.shuttingDown).length,
  );
  gauge('convene_focus_xmpp_connected', '1 while the component connection is up', () => (conn.online ? 1 : 0));
  total(
    'convene_focus_bridges_rejected_total',
    'Brewery occupants with bridge stats ignored because their real JID is not an allowed bridge',
    () => brewery.rejectedOccupants,
  );
  total('convene_focus_conferences_created_total', 'Conferences created', () => manager.totals.conferencesCreated);
  total(
    'convene_focus_conference_requests_total',
    'Conference requests answered',
    () => manager.totals.conferenceRequests,
  );
  total(
    'convene_focus_conference_requests_refused_total',
    'Conference requests for new rooms refused by the conference limits',
    () => manager.totals.requestsRefused,
  );
  total(
    'convene_focus_caps_mismatches_total',
    'Disco#info answers that did not hash to the caps ver their sender claimed (used once, never cached)',
    () => manager.discovery.capsMismatches,
  );
  total('convene_focus_participants_total', 'Participants that joined a conference', () => manager.totals.participants);
  total(
    'convene_focus_bridge_health_check_failures_total',
    'Bridge health checks failed (an error, or no answer twice); each moves that bridge’s conferences',
    healthCheckFailures,
  );
  total(
    'convene_focus_participants_moved_total',
    'Participants re-invited (session-terminate, new session-initiate) because their bridge session failed or moved',
    () => manager.totals.participantsMoved,
  );
  total(
    'convene_focus_bridge_selection_failures_total',
    'Bridge selections that found no operational bridge',
    () => brewery.selectionFailures,
  );
  new Counter({
    name: 'convene_focus_bridge_selections_total',
    help: 'Bridges selected for a participant, by bridge id',
    labelNames: ['bridge'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [bridge, n] of brewery.selections) this.inc({ bridge }, n);
    },
  });
  const join = new Histogram({
    name: 'convene_focus_join_seconds',
    help: 'From a participant joining the room to its first session-accept',
    buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32],
    registers: [registry],
  });
  manager.joinObservers.add((seconds) => join.observe(seconds));
  new Counter({
    name: 'convene_focus_colibri_errors_total',
    help: 'Colibri2 requests that failed, by condition (bad-reply: an unusable answer)',
    labelNames: ['condition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [condition, n] of manager.colibriErrors) this.inc({ condition }, n);
    },
  });
  new Counter({
    name: 'convene_focus_iq_errors_total',
    help: 'IQs answered with an error, by error code',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of conn.iqErrors) this.inc({ code }, n);
    },
  });
  return registry;
}
