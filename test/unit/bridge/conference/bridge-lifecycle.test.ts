import { jest } from '@jest/globals';
import { BridgeLifecycle } from '@convene/bridge/conference';
import { colibriSetup } from '../colibri/setup.js';

async function setup() {
  const { media, log, send } = await colibriSetup();
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const exit = jest.fn();
  const changed = jest.fn();
  const lifecycle = new BridgeLifecycle({ media, log, onStateChange: changed, exit });
  return { media, lifecycle, exit, changed, send };
}

afterEach(() => jest.useRealTimers());

describe('BridgeLifecycle', () => {
  it('exits at once (after the reply delay) on a graceful shutdown with no conferences', async () => {
    const { lifecycle, exit } = await setup();
    lifecycle.shutdown(true);
    expect(lifecycle.shuttingDown).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('waits for the last conference, refusing new ones meanwhile', async () => {
    const { lifecycle, exit, media, send } = await setup();
    await send('<conference-modify xmlns="jitsi:colibri2" meeting-id="m" name="a@b.c" create="true"/>');
    lifecycle.shutdown(true);
    lifecycle.shutdown(true);
    expect(lifecycle.gracefulShutdown).toBe(true);
    expect(lifecycle.shuttingDown).toBe(false);
    jest.advanceTimersByTime(1_000);
    expect(exit).not.toHaveBeenCalled();
    media.byMeetingId('m')!.close();
    expect(lifecycle.shuttingDown).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('reports drain changes once', async () => {
    const { lifecycle, changed } = await setup();
    lifecycle.setDrain(true);
    lifecycle.setDrain(true);
    expect(lifecycle.drain).toBe(true);
    expect(changed).toHaveBeenCalledTimes(1);
  });
});
