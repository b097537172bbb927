import type { TransportChoice } from '../adapters/transports/choose.js';
import type { Settings } from '../core/settings.js';
import type { Sleeper } from '../core/dispatch/rate-window.js';
import type { Clock, LockRequest, Persistence } from '../core/ports.js';
import type { Channel } from '../core/subscriber.js';
import type { Transport } from '../core/transport.js';
import type { SendProgress } from '../ui/progress.js';

/** Builds the transport a send chose for a channel (DESIGN §3), from the settings; the caller closes it. */
export interface TransportFactory {
  build(choice: TransportChoice, settings: Settings): Transport;
}

/** What the pipeline tells people while it works: lines for stderr, and a running send's progress. */
export interface SendReporter {
  info(line: string): void;
  warn(line: string): void;
  progress(totals: Readonly<Partial<Record<Channel, number>>>, rates: Readonly<Record<Channel, number>>): SendProgress;
}

/**
 * What the send pipeline works with (prepare, freeze, run, resume, report): the stores behind their ports, a
 * transport factory, time and waiting, the resolved settings, and a reporter — never a command's Context, so a test
 * runs a whole send with in-memory ports, a fake transport and a fake clock in milliseconds.
 */
export interface Sending {
  readonly ports: Persistence;
  /** The transport factory, loaded when a send first builds one (a plan never loads the HTTP and SMTP clients). */
  readonly transports: () => Promise<TransportFactory>;
  readonly clock: Clock;
  readonly sleeper: Sleeper;
  readonly random: () => number;
  /** The settings as resolved for this run (flag > env > config > default). */
  readonly settings: Settings;
  readonly reporter: SendReporter;
  /** Where schedule.env is named in messages about missing credentials (the home, or where the store is). */
  readonly home: string;
  /** Resolves when the person asks the send to stop (Ctrl-C, SIGTERM): no new messages, those in flight finish. */
  readonly untilInterrupted?: () => Promise<void>;
}

/** Requests in flight per channel, when `--concurrency` is not given. */
export const DEFAULT_CONCURRENCY = 20;

/** Who takes the send lock: this campaign, now; waiting for a crashed send's lock is said. */
export function sendLockRequest(sending: Sending, campaign: string): LockRequest & { readonly campaign: string } {
  return { campaign, startedAt: sending.clock.now().toISOString(), onWait: (m) => sending.reporter.info(m) };
}
