// Threat (issue #12, item 8): the files holding secrets got their private mode only when first written. Prosody's
// config (the focus component secret) in a kept dataDir, and `convene.yaml` (focus secret, bridge password), stayed
// world-readable once something had opened them up (a copy, an editor, an old umask): any local user could read them.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStackConfig } from '@convene/local-stack';
import { startTestProsody } from '../harness/prosody.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('secret files readable by others', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };

  it('makes the Prosody config 0640 again on every start of a kept dataDir', async () => {
    const dataDir = tempDir('convene-keep-');
    const first = await startTestProsody({ dataDir });
    const config = join(dataDir, 'prosody.cfg.lua');
    await first.close();
    expect(modeOf(config)).toBe(0o640);
    chmodSync(config, 0o644);
    const second = await startTestProsody({ dataDir });
    try {
      expect(modeOf(config)).toBe(0o640);
    } finally {
      await second.close();
    }
  });

  it('makes convene.yaml 0600 again on every start, and says so', () => {
    const cwd = tempDir('convene-stack-');
    const file = join(cwd, 'convene.yaml');
    writeFileSync(file, 'focusSecret: s3cret-focus\nbridgePassword: s3cret-bridge\n');
    chmodSync(file, 0o644);
    const loaded = loadStackConfig({}, [], cwd);
    expect(loaded.config.focusSecret).toBe('s3cret-focus');
    expect(modeOf(file)).toBe(0o600);
    expect(loaded.tightened).toBe('0644');
    // Already private: left alone, nothing to say.
    expect(loadStackConfig({}, [], cwd).tightened).toBeUndefined();
  });
});
