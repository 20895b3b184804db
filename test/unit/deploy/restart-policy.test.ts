import { jest } from '@jest/globals';
import { pino } from 'pino';
import { RestartPolicy, SupervisedService, type Supervisable } from '@convene/local-stack';

describe('RestartPolicy', () => {
  it('doubles the delay from 1 s up to 30 s and gives up after 5 restarts within 60 s', () => {
    const policy = new RestartPolicy();
    expect([0, 1, 2, 3, 4].map((s) => policy.next(s * 1_000))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(policy.next(5_000)).toBeUndefined();
  });

  it('forgets restarts older than the window', () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < 5; i++) policy.next(i * 1_000);
    expect(policy.next(60_000)).toBe(16_000); // the first one left the window: four remain
    expect(policy.next(60_500)).toBeUndefined();
    expect(policy.next(200_000)).toBe(1_000);
  });

  it('caps the delay at maxDelayMs', () => {
    const policy = new RestartPolicy({ initialDelayMs: 1_000, maxDelayMs: 30_000, burst: 10, intervalMs: 600_000 });
    const delays = Array.from({ length: 10 }, (_, i) => policy.next(i));
    expect(delays.slice(-4)).toEqual([30_000, 30_000, 30_000, 30_000]);
  });
});

/** A stand-in process whose exit the test decides. */
class FakeProcess implements Supervisable {
  static next = 100;
  readonly pid = FakeProcess.next++;
  readonly exited: Promise<number | null>;
  exit!: (code: number | null) => void;
  closed = false;
  constructor() {
    this.exited = new Promise((resolve) => (this.exit = resolve));
  }
  close(): Promise<void> {
    this.closed = true;
    this.exit(0);
    return Promise.resolve();
  }
}

function supervised(burst = 2, initialDelayMs = 1) {
  const started: FakeProcess[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'info' },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  const gaveUp: string[] = [];
  const service = SupervisedService.start({
    name: 'bridge',
    start: () => {
      const p = new FakeProcess();
      started.push(p);
      return Promise.resolve(p);
    },
    log,
    policy: new RestartPolicy({ initialDelayMs, maxDelayMs: initialDelayMs * 4, burst, intervalMs: 60_000 }),
    onGaveUp: (name) => gaveUp.push(name),
  });
  return { service, started, lines, gaveUp };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!check()) throw new Error(`never saw ${what}`);
}

describe('SupervisedService', () => {
  it('starts a new process when the running one is killed', async () => {
    const { service, started, lines } = supervised();
    const s = await service;
    started[0]!.exit(null);
    await until('a second start', () => started.length === 2);
    await until('the restart logged', () => lines.some((l) => l.msg === 'service restarted'));
    expect(s.current).toBe(started[1]);
    expect(lines.map((l) => l.msg)).toEqual([
      'service started',
      'service exited unexpectedly',
      'restarting service',
      'service restarted',
    ]);
    await s.close();
    expect(started[1]!.closed).toBe(true);
  });

  it('gives up once past the start limit and says so once', async () => {
    const { service, started, lines, gaveUp } = supervised(2);
    await service;
    started[0]!.exit(1);
    await until('a second start', () => started.length === 2);
    started[1]!.exit(1);
    await until('a third start', () => started.length === 3);
    started[2]!.exit(1);
    await until('giving up', () => gaveUp.length === 1);
    expect(gaveUp).toEqual(['bridge']);
    expect(lines.filter((l) => l.msg === 'service failed too often; giving up')).toHaveLength(1);
    expect(started).toHaveLength(3);
  });

  it('does not restart a process that exits cleanly, like Restart=on-failure', async () => {
    const { service, started, lines } = supervised();
    await service;
    started[0]!.exit(0);
    await until('the clean exit logged', () => lines.some((l) => l.msg === 'service exited cleanly; not restarting'));
    expect(started).toHaveLength(1);
  });

  it('starts nothing after close(), even with a restart pending', async () => {
    jest.useFakeTimers();
    try {
      const { service, started, lines } = supervised(2, 1_000);
      const s = await service;
      started[0]!.exit(1);
      await jest.advanceTimersByTimeAsync(0);
      expect(lines.map((l) => l.msg)).toContain('restarting service');
      await s.close();
      await jest.advanceTimersByTimeAsync(120_000);
      expect(started).toHaveLength(1);
      expect(started[0]!.closed).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
