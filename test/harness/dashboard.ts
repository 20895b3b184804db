// The series deploy/grafana/convene.json queries, read from the dashboard itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD = join(import.meta.dirname, '..', '..', 'deploy', 'grafana', 'convene.json');

/**
 * Series the dashboard shows before the stack exports them, each with the change that adds it. The deploy-front
 * test prints which of them a live stack exports; drop a name here once it does.
 */
export const PENDING_METRICS: ReadonlySet<string> = new Set([
  // Loss per direction, as JVB's incoming_loss / outgoing_loss: the bridge does not compute it yet.
  'convene_bridge_incoming_loss_ratio',
  'convene_bridge_outgoing_loss_ratio',
  // RTT from RTCP sender/receiver reports: the bridge sends no sender reports of its own yet.
  'convene_bridge_rtt_seconds_bucket',
]);

interface Panel {
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

/** Every `convene_*` series name in the dashboard's queries and template variables, sorted, once each. */
export function dashboardMetricNames(file = DASHBOARD): string[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
    panels: Panel[];
    templating: { list: Array<{ definition?: string }> };
  };
  const exprs: string[] = dashboard.templating.list.map((v) => v.definition ?? '');
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) exprs.push(t.expr ?? '');
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels);
  const names = new Set(exprs.flatMap((e) => [...e.matchAll(/\bconvene_[a-z0-9_]+\b/g)].map((m) => m[0])));
  return [...names].sort();
}
