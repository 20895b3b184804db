// Which SrtpTransform the bridge runs: the native addon when it loads, else node:crypto (config srtpImplementation).
import { NativeSrtpTransform, loadNativeSrtp, nativeSrtpLoadError } from './native-srtp-transform.js';
import { NodeSrtpTransform, type SrtpKeyParams } from './node-srtp-transform.js';
import type { SrtpTransform } from './srtp-transform.js';

/** `auto`: native if the addon loads, else node; `native`: the addon or fail; `node`: node:crypto. */
export type SrtpImplementation = 'auto' | 'native' | 'node';

export interface SrtpChoice {
  name: 'native' | 'node';
  create: (p: SrtpKeyParams) => SrtpTransform;
  /** Why: the OpenSSL version of the addon, or why the addon was not used. */
  detail: string;
}

/** Picks the implementation; throws an Error with a one-line message when `native` is asked for and not loadable. */
export function chooseSrtp(mode: SrtpImplementation): SrtpChoice {
  if (mode !== 'node') {
    const binding = loadNativeSrtp();
    if (binding !== undefined) {
      return { name: 'native', create: (p) => new NativeSrtpTransform(p, binding), detail: binding.openssl };
    }
    if (mode === 'native') throw new Error(`srtpImplementation is native, but ${nativeSrtpLoadError()}`);
  }
  const detail = mode === 'node' ? 'configured' : `fallback: ${nativeSrtpLoadError()}`;
  return { name: 'node', create: (p) => new NodeSrtpTransform(p), detail };
}
