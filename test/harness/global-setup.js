// Jest runs globalSetup outside its transform, so this plain-JS shim lets tsx load our TypeScript.
import { register } from 'tsx/esm/api';

export default async function globalSetup() {
  register();
  const { setup } = await import('./suite-hooks.ts');
  setup();
}
