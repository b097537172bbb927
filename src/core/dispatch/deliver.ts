import type { SkipReason } from '../audience.js';
import type { Channel } from '../subscriber.js';
import { describeFailure, type DeliveryFailure, type Envelope, type SendResult, type Transport } from '../transport.js';
import { backoffDelay, deferDelay } from './backoff.js';
import type { DeliverEvent, DeliverInput, DeliverOutcome, WorkItem } from './deliver-types.js';
import type { RateWindow } from './rate-window.js';

export type { DeliverEvent, DeliverInput, DeliverOutcome, DeliveryJournal, WorkItem } from './deliver-types.js';

const NEVER = new AbortController().signal;

/**
 * Recipients each worker makes ready (rendered, in-flight record on its way to disk) beyond the one it is sending:
 * disk flushes then overlap the requests. A crash leaves at most this many per worker `unknown` that were never sent.
 */
const LOOKAHEAD = 2;

/**
 * Answers in a row with the same code canale has no rule for, to more than one recipient, before the send stops:
 * one citizen's odd error is theirs, the same one for everybody is the account's (a handful of requests, not
 * hundreds of retries).
 */
export const UNCLASSIFIED_STOP = 5;

/**
 * Sends every item through its channel's transport (DESIGN §7): at most `concurrency` requests in flight and never
 * more than the rate allows in any one-second window, per channel; throttling slows the channel and retries the
 * same recipient, never failing them; transient failures are retried with backoff up to `maxAttempts`; a
 * recipient failure is recorded and the send goes on; a fatal failure, or too many failures in a row, stops the
 * whole send, resumable. Every recipient's in-flight record is on disk before their request leaves; a journal that
 * refuses one (a full disk) stops the send, resumable, with that recipient not sent.
 */
export async function deliver(input: DeliverInput): Promise<DeliverOutcome> {
  let stopped: Extract<DeliverOutcome, { status: 'stopped' }> | undefined;
  /** Why the journal refused an in-flight record (a full disk): nobody new is sent, and the send stops with it. */
  let journalFailure: unknown;
  let consecutiveFailures = 0;
  /** Recipients with a final record: sent, failed or skipped. */
  let finished = 0;
  const halt = new AbortController();
  const stopNow = (outcome: Extract<DeliverOutcome, { status: 'stopped' }>): void => {
    stopped ??= outcome;
    halt.abort();
  };
  const onStop = () => halt.abort();
  input.stop.addEventListener('abort', onStop, { once: true });
  const onTrouble = () => {
    const failure = input.accountTrouble?.reason as DeliveryFailure;
    stopNow({ status: 'stopped', reason: `the provider reported trouble with the account for messages it had accepted: ${describeFailure(failure)}`, failure });
  };
  input.accountTrouble?.addEventListener('abort', onTrouble, { once: true });
  if (input.accountTrouble?.aborted === true) onTrouble();
  const emit = (event: DeliverEvent) => {
    if (event.type === 'sent' || event.type === 'failed' || event.type === 'skipped' || event.type === 'unknown') finished++;
    input.onEvent?.(event);
  };

  /**
   * A recipient made ready to send: rendered, and their in-flight record on its way to disk. Each worker prepares
   * its next recipients (LOOKAHEAD) while the current request is out, so the disk flush is done by their turn.
   */
  type Prepared =
    | { readonly item: WorkItem; readonly skip: SkipReason }
    | { readonly item: WorkItem; readonly envelope: Envelope; readonly durable: Promise<void>; /** Times the provider refused them for now. */ deferrals: number };

  function prepare(item: WorkItem): Prepared {
    const rendered = input.envelopeFor(item);
    if ('skip' in rendered) return { item, skip: rendered.skip };
    const durable = input.journal.inFlight(item.index);
    durable.catch(() => undefined); // awaited by whoever uses it; never an unhandled rejection meanwhile
    return { item, envelope: rendered, durable, deferrals: 0 };
  }

  /** Waits for the recipient's in-flight record; false if the journal refused it (it then released them itself). */
  async function isDurable(prepared: Extract<Prepared, { durable: Promise<void> }>): Promise<boolean> {
    try {
      await prepared.durable;
      return true;
    } catch (error) {
      journalFailure ??= error;
      halt.abort();
      return false;
    }
  }

  /** Not sent after all (the send stopped first): resume treats them as not yet reached. */
  const released = (item: WorkItem): void => {
    input.journal.released(item.index);
    emit({ type: 'released', channel: item.channel });
  };
  const release = async (prepared: Prepared): Promise<void> => {
    if (!('skip' in prepared) && (await isDurable(prepared))) released(prepared.item);
  };

  const pausedChannels = new Set<Channel>();
  /** Whether the channel has reached its pause: it then takes nobody new. */
  const pausing = (channel: Channel): boolean => {
    const at = input.pauseAt?.[channel];
    if (at === undefined || input.clock.now().getTime() < at) return false;
    pausedChannels.add(channel);
    return true;
  };

  /** The rate last reported per channel: a limiter that grew back after throttling is reported once per step. */
  const rates = new Map<Channel, number>();
  const noteRecovery = (channel: Channel, limiter: RateWindow): void => {
    const before = rates.get(channel);
    rates.set(channel, limiter.rate);
    if (before !== undefined && limiter.rate > before) emit({ type: 'rate', channel, rate: limiter.rate });
  };

  /** The same code canale has no rule for: answers in a row, and to whom (a success ends the streak). */
  let unclassified: { code: string; answers: number; recipients: Set<number> } = { code: '', answers: 0, recipients: new Set() };

  /** One recipient's turn. Returns in how many ms to try them again when the provider refused them for now. */
  async function sendOne(ready: Prepared, transport: Transport, limiter: RateWindow | undefined): Promise<number | undefined> {
    const { item } = ready;
    if ('skip' in ready) {
      input.journal.skipped(item.index, ready.skip);
      emit({ type: 'skipped', channel: item.channel });
      return undefined;
    }
    const prepared = ready.envelope;
    if (!(await isDurable(ready))) return;
    let throttles = 0;
    for (let attempt = 1; ; ) {
      if (limiter !== undefined) {
        await limiter.acquire(halt.signal);
        noteRecovery(item.channel, limiter);
      }
      if (halt.signal.aborted || (attempt === 1 && throttles === 0 && pausing(item.channel))) {
        released(item);
        return undefined;
      }
      const withdrawn = input.withdrawn?.(item);
      if (withdrawn !== undefined) {
        input.journal.skipped(item.index, withdrawn);
        emit({ type: 'skipped', channel: item.channel });
        return undefined;
      }
      const result: SendResult = await transport.send(prepared, NEVER);
      if (result.ok) {
        consecutiveFailures = 0;
        unclassified = { code: '', answers: 0, recipients: new Set() };
        input.journal.sent(item.index, result.providerMessageId);
        emit({ type: 'sent', channel: item.channel, index: item.index, ...(result.userId === undefined ? {} : { userId: result.userId }) });
        return undefined;
      }
      const failure = result.failure;
      if (failure.unclassified === true) {
        const code = failure.providerCode ?? failure.code;
        if (code !== unclassified.code) unclassified = { code, answers: 0, recipients: new Set() };
        unclassified.answers++;
        unclassified.recipients.add(item.index);
        if (unclassified.answers >= UNCLASSIFIED_STOP && unclassified.recipients.size > 1) {
          released(item);
          stopNow({
            status: 'stopped',
            reason: `${unclassified.answers} answers in a row to ${unclassified.recipients.size} recipients were error ${code}, which canale does not know (${describeFailure(failure)}) — most likely a problem with the account: check it with the provider, then resume`,
            failure,
          });
          return undefined;
        }
      }
      if (failure.kind === 'transient' && failure.mayHaveArrived === true) {
        // no idempotency key protects a resend: never again automatically; a receipt settles them (DESIGN §7.2)
        input.journal.unknown(item.index, failure);
        emit({ type: 'unknown', channel: item.channel, failure });
        consecutiveFailures++;
        if (consecutiveFailures >= input.policy.maxConsecutiveFailures) {
          stopNow({ status: 'stopped', reason: `${consecutiveFailures} recipients in a row got no answer or failed (last: ${failure.code}: ${failure.reason}) — check the transport, then resume`, failure });
        }
        return undefined;
      }
      switch (failure.kind) {
        case 'rate-limit':
          limiter?.slowDown();
          if (limiter !== undefined) rates.set(item.channel, limiter.rate);
          emit({ type: 'throttled', channel: item.channel, failure, rate: limiter?.rate ?? 0 });
          throttles++;
          if (throttles >= input.policy.maxThrottles) {
            // never a failed recipient: they stay to be reached, and the whole send pauses until the provider relents
            released(item);
            stopNow({ status: 'stopped', reason: `the provider kept throttling (${failure.code}, ${throttles} times for one recipient) — wait a while, then resume`, failure });
            return undefined;
          }
          await input.sleeper.sleep(failure.retryAfterMs ?? backoffDelay(throttles, input.policy, input.random), halt.signal);
          continue;
        case 'transient':
          if (attempt < input.policy.maxAttempts) {
            emit({ type: 'retry', channel: item.channel, failure });
            await input.sleeper.sleep(backoffDelay(attempt, input.policy, input.random, failure.retryAfterMs), halt.signal);
            attempt++;
            continue;
          }
          break;
        case 'deferred': {
          // this recipient only: the channel's rate stays, the worker goes on with the next one meanwhile
          ready.deferrals++;
          if (ready.deferrals > input.policy.maxDeferrals) {
            input.journal.failed(item.index, failure);
            emit({ type: 'failed', channel: item.channel, failure });
            return undefined;
          }
          const inMs = deferDelay(ready.deferrals, failure.retryAfterMs);
          emit({ type: 'deferred', channel: item.channel, failure, inMs });
          return inMs;
        }
        case 'recipient':
          break;
        case 'fatal':
          released(item);
          stopNow({ status: 'stopped', reason: describeFailure(failure), failure });
          return undefined;
        default: {
          const unreachable: never = failure.kind;
          return unreachable;
        }
      }
      input.journal.failed(item.index, failure);
      emit({ type: 'failed', channel: item.channel, failure });
      consecutiveFailures++;
      if (consecutiveFailures >= input.policy.maxConsecutiveFailures) {
        stopNow({ status: 'stopped', reason: `${consecutiveFailures} recipients in a row failed (last: ${failure.code}: ${failure.reason}) — check the transport, then resume` });
      }
      return undefined;
    }
  }

  async function runChannel(channel: Channel, queue: WorkItem[]): Promise<void> {
    const transport = input.transports[channel];
    if (transport === undefined) throw new Error(`no transport for ${channel}`);
    let next = 0;
    const take = (): Prepared | undefined => {
      const item = halt.signal.aborted || pausing(channel) ? undefined : queue[next++];
      return item === undefined ? undefined : prepare(item);
    };
    /** Recipients the provider refused for now, and when each is tried again: any worker takes them once due. */
    const later: Array<{ readonly ready: Prepared; readonly due: number }> = [];
    const dueNow = (): Prepared | undefined => {
      const now = input.clock.now().getTime();
      const at = later.findIndex((l) => l.due <= now);
      return at < 0 ? undefined : later.splice(at, 1)[0]?.ready;
    };
    const worker = async (): Promise<void> => {
      const ahead: Prepared[] = [];
      const fill = () => {
        while (ahead.length < LOOKAHEAD) {
          const prepared = take();
          if (prepared === undefined) return;
          ahead.push(prepared);
        }
      };
      fill();
      for (;;) {
        if (halt.signal.aborted || pausing(channel)) {
          await Promise.all(ahead.splice(0).map(release));
          return;
        }
        const current = dueNow() ?? ahead.shift();
        if (current === undefined) {
          if (later.length === 0) return;
          // only deferred recipients are left: wait for the first of them
          const first = Math.min(...later.map((l) => l.due));
          await input.sleeper.sleep(Math.max(1, first - input.clock.now().getTime()), halt.signal);
          continue;
        }
        fill();
        const inMs = await sendOne(current, transport, input.limiters[channel]);
        if (inMs !== undefined) later.push({ ready: current, due: input.clock.now().getTime() + inMs });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, input.concurrency) }, worker));
    // the send stopped or paused with some still deferred: they stay to be reached
    await Promise.all(later.splice(0).map((l) => release(l.ready)));
  }

  try {
    const byChannel = new Map<Channel, WorkItem[]>();
    for (const item of input.items) {
      const queue = byChannel.get(item.channel);
      if (queue === undefined) byChannel.set(item.channel, [item]);
      else queue.push(item);
    }
    await Promise.all([...byChannel].map(([channel, queue]) => runChannel(channel, queue)));
  } finally {
    input.stop.removeEventListener('abort', onStop);
    input.accountTrouble?.removeEventListener('abort', onTrouble);
    await input.journal.flush();
  }
  if (journalFailure !== undefined) {
    const reason = journalFailure instanceof Error ? journalFailure.message : String(journalFailure);
    const code = typeof (journalFailure as { code?: unknown }).code === 'string' ? (journalFailure as { code: string }).code : 'JOURNAL_WRITE_FAILED';
    return { status: 'stopped', reason, failure: { kind: 'fatal', code, reason } };
  }
  if (stopped !== undefined) return stopped;
  if (finished === input.items.length) return { status: 'completed' };
  if (!halt.signal.aborted && pausedChannels.size > 0) return { status: 'paused', channels: [...pausedChannels] };
  return { status: 'interrupted' };
}
