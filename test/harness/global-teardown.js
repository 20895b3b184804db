import { register } from 'tsx/esm/api';

export default async function globalTeardown() {
  register();
  const { teardown } = await import('./suite-hooks.ts');
  teardown();
}
