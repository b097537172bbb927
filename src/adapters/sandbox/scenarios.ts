import type { ErrorWording } from './meta-errors.js';

/**
 * A situation armed for the next message requests (issue 16 §5). `to` is a number's digits as Graph writes them
 * or a business-scoped user id; an error without `to` is for every number. `times` counts the requests it still
 * takes; without it (errors, failed receipts) it stays until cleared.
 */
export type Scenario =
  | { readonly kind: 'pair-limit'; readonly to: string; readonly times: number }
  | ({ readonly kind: 'error'; readonly code: number; readonly to?: string; readonly times?: number } & ErrorWording)
  | { readonly kind: 'failed-receipt'; readonly to: string; readonly code: number; readonly times?: number; readonly details?: string }
  | { readonly kind: 'slow'; readonly to: string; readonly ms: number; readonly times: number }
  | { readonly kind: 'reset'; readonly to: string; readonly times: number };

/** What an accepted message goes through: a `failed` receipt instead of sent/delivered/read, a late answer, a reset. */
export interface AcceptedPlay {
  readonly failure?: { readonly code: number; readonly details?: string };
  readonly delayMs?: number;
  readonly reset?: boolean;
}

/** What the stand-in does with a message request that passed the checks. */
export type Play = { readonly refuse: { readonly code: number } & ErrorWording } | { readonly accept: AcceptedPlay };

type Armed = { scenario: Scenario; left: number | undefined };

/** The situations armed with `POST /sandbox/...` and the command's flags, each taken by the requests it is for. */
export class Scenarios {
  private armed: Armed[] = [];

  constructor(initial: readonly Scenario[] = []) {
    for (const scenario of initial) this.arm(scenario);
  }

  arm(scenario: Scenario): Scenario {
    this.armed.push({ scenario, left: 'times' in scenario ? scenario.times : undefined });
    return scenario;
  }

  /** What is still armed, with the requests each still takes. */
  list(): Scenario[] {
    return this.armed.map(({ scenario, left }) => (left === undefined ? scenario : { ...scenario, times: left }));
  }

  /** Clears the armed situations of one kind, or all; answers how many were cleared. */
  clear(kind?: Scenario['kind']): number {
    const before = this.armed.length;
    this.armed = kind === undefined ? [] : this.armed.filter((a) => a.scenario.kind !== kind);
    return before - this.armed.length;
  }

  /**
   * What to do with a request for `keys` (the number's digits and/or the user id): an armed error or pair limit
   * answers it, else it is accepted, with at most one failed receipt, one delay and one reset taken for it.
   */
  playFor(keys: readonly string[]): Play {
    const refusal = this.take(keys, (s) => s.kind === 'pair-limit' || s.kind === 'error');
    if (refusal?.kind === 'pair-limit') return { refuse: { code: 131056 } };
    if (refusal?.kind === 'error') {
      const { code, details, http } = refusal;
      return { refuse: { code, ...(details === undefined ? {} : { details }), ...(http === undefined ? {} : { http }) } };
    }
    const failed = this.take(keys, (s) => s.kind === 'failed-receipt');
    const slow = this.take(keys, (s) => s.kind === 'slow');
    const reset = this.take(keys, (s) => s.kind === 'reset');
    return {
      accept: {
        ...(failed?.kind === 'failed-receipt' ? { failure: { code: failed.code, ...(failed.details === undefined ? {} : { details: failed.details }) } } : {}),
        ...(slow?.kind === 'slow' ? { delayMs: slow.ms } : {}),
        ...(reset === undefined ? {} : { reset: true }),
      },
    };
  }

  /** The first armed situation of that sort for these keys, one request fewer left on it. */
  private take(keys: readonly string[], sort: (s: Scenario) => boolean): Scenario | undefined {
    const index = this.armed.findIndex(({ scenario }) => sort(scenario) && (scenario.to === undefined || keys.includes(scenario.to)));
    const found = this.armed[index];
    if (found === undefined) return undefined;
    if (found.left !== undefined && --found.left <= 0) this.armed.splice(index, 1);
    return found.scenario;
  }
}
