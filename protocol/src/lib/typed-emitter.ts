// STYLE.md §2.4 typed events, browser-safe (no node:events): every emitter of focus, bridge and web.
type Listener = (...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An event emitter whose names and arguments are fixed by the map `E`; only the owner emits. */
export class TypedEmitter<E extends Record<keyof E, unknown[]>> {
  readonly #listeners = new Map<keyof E, Set<Listener>>();
  readonly #onListenerError: (err: unknown, event: string) => void;

  constructor(onListenerError: (err: unknown, event: string) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof E>(name: K, fn: (...args: E[K]) => void): () => void {
    const set = this.#listeners.get(name) ?? new Set<Listener>();
    this.#listeners.set(name, set);
    set.add(fn);
    return () => void set.delete(fn);
  }

  protected emit<K extends keyof E>(name: K, ...args: E[K]): void {
    for (const fn of this.#listeners.get(name) ?? []) {
      try {
        fn(...args);
      } catch (err) {
        this.#onListenerError(err, String(name));
      }
    }
  }
}
