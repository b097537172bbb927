/**
 * Runs `listener` when `signal` aborts; returns a function that stops watching. One real listener per signal,
 * however many sends share it, so a campaign with hundreds of requests in flight does not trip Node's
 * MaxListeners warning on the caller's signal.
 */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

export function watchAbort(signal: AbortSignal, listener: () => void): () => void {
  let listeners = watchers.get(signal);
  if (listeners === undefined) {
    const set = new Set<() => void>();
    listeners = set;
    watchers.set(signal, set);
    signal.addEventListener('abort', () => [...set].forEach((l) => l()), { once: true });
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}
