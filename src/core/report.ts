import { SKIP_REASONS, type SkipReason } from './audience.js';
import type { Campaign } from './campaign.js';
import { STATE, type JournalReplay } from './dispatch/journal-state.js';
import { canaleCommand } from './shell-quote.js';
import type { Channel } from './subscriber.js';

export interface Counts {
  targeted: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  unknown: number;
  skipped: number;
}

/** The report of DESIGN §10: stable JSON that scripts and monitoring read. */
export interface CampaignReport {
  readonly campaign: string;
  readonly status: string;
  readonly counts: Counts;
  readonly byChannel: Record<Channel, Counts>;
  readonly failures: Array<{ code: string; reason: string; count: number }>;
  readonly skipped: Array<{ reason: SkipReason; label: string; count: number }>;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Messages accepted per second between start and finish. */
  readonly rate: number | null;
  /** An urgent send: quiet hours did not apply. */
  readonly urgent: boolean;
  /** Status `scheduled`: when the first `schedule run` goes on with it, and why it waits. */
  readonly resumeAt?: string;
  readonly waitingFor?: string;
  /** The schedule that made it. */
  readonly schedule?: string;
  /**
   * With recipients `unknown` in a campaign no send is running for: what they are, what `--resend-unknown` would do
   * and its risk (DESIGN §7.2).
   */
  readonly unknownAdvice?: string;
  /**
   * Recipients whose answer was lost (a timeout, a reset, a killed send) and whom a WhatsApp receipt then settled:
   * Meta had accepted them, so they are counted sent and never sent again (DESIGN §7.2). Absent when none.
   */
  readonly settledByReceipts?: number;
}

/**
 * What a person needs to know about recipients whose outcome is unknown: their request was out when the send died,
 * so the provider may have accepted it; `--resend-unknown` sends to them again, and those it reached get it twice.
 */
export function unknownAdvice(campaign: Campaign, byChannel: Readonly<Record<Channel, Counts>>): string | undefined {
  const count = byChannel.whatsapp.unknown + byChannel.email.unknown;
  // a running send's unknown are its requests in flight; a cancelled one cannot be resumed
  if (count === 0 || campaign.status === 'sending' || campaign.status === 'cancelled' || campaign.status === 'draft') return undefined;
  const who = [...(byChannel.whatsapp.unknown > 0 ? ['WhatsApp'] : []), ...(byChannel.email.unknown > 0 ? ['the mail server'] : [])].join(' or ');
  return (
    `${count} recipient(s) with an unknown outcome: their message was on its way when the send was killed, or its answer never came (a timeout, a reset), so ${who} may have accepted it (or not). ` +
    (byChannel.whatsapp.unknown > 0
      ? `WhatsApp's receipts settle them as they reach canale webhook serve; ${canaleCommand('send', '--resume', campaign.id, '--resend-unknown')} sends it to those still unknown once the grace has passed (send.unknownGraceMinutes): any who did get it will get it twice`
      : `${canaleCommand('send', '--resume', campaign.id, '--resend-unknown')} sends it to them again: those who did get it will get it twice`)
  );
}

const zero = (): Counts => ({ targeted: 0, sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0, skipped: 0 });

/**
 * Accounts for every recipient: `targeted` is everyone the audience matched, planned skips included; `sent` counts everyone the provider accepted (delivered and read included),
 * `delivered` those confirmed delivered or read, `read` those read. Pending recipients of an unfinished send are
 * targeted but in no other column.
 */
export function buildReport(campaign: Campaign, channels: readonly Channel[], replay: JournalReplay): CampaignReport {
  const total = zero();
  const byChannel: Record<Channel, Counts> = { whatsapp: zero(), email: zero() };
  const failures = new Map<string, { code: string; reason: string; count: number }>();
  const skips = new Map<SkipReason, number>(campaign.plannedSkips.map((s) => [s.reason, s.count]));
  for (let i = 0; i < replay.states.length; i++) {
    const channel = channels[i] ?? 'whatsapp';
    const counts = [total, byChannel[channel]];
    const bump = (key: keyof Counts) => counts.forEach((c) => c[key]++);
    bump('targeted');
    switch (replay.states[i]) {
      case STATE.read:
        bump('read');
        bump('delivered');
        bump('sent');
        break;
      case STATE.delivered:
        bump('delivered');
        bump('sent');
        break;
      case STATE.sent:
        bump('sent');
        break;
      case STATE.failed: {
        bump('failed');
        const failure = replay.failures.get(i);
        const code = failure?.code ?? 'UNKNOWN';
        const entry = failures.get(code) ?? { code, reason: failure?.reason ?? '', count: 0 };
        entry.count++;
        failures.set(code, entry);
        break;
      }
      case STATE.unknown:
        bump('unknown');
        break;
      case STATE.skipped: {
        bump('skipped');
        const reason = replay.skips.get(i) ?? 'opted-out';
        skips.set(reason, (skips.get(reason) ?? 0) + 1);
        break;
      }
      default:
        break;
    }
  }
  const planned = campaign.plannedSkips.reduce((sum, s) => sum + s.count, 0);
  total.skipped += planned;
  total.targeted += planned;
  const started = campaign.startedAt === undefined ? undefined : Date.parse(campaign.startedAt);
  const finished = campaign.finishedAt === undefined ? undefined : Date.parse(campaign.finishedAt);
  const seconds = started !== undefined && finished !== undefined ? (finished - started) / 1000 : undefined;
  const advice = unknownAdvice(campaign, byChannel);
  return {
    campaign: campaign.id,
    status: campaign.status,
    counts: total,
    byChannel,
    failures: [...failures.values()].sort((a, b) => b.count - a.count),
    skipped: [...skips].map(([reason, count]) => ({ reason, label: SKIP_REASONS[reason], count })),
    startedAt: campaign.startedAt ?? null,
    finishedAt: campaign.finishedAt ?? null,
    rate: seconds === undefined || seconds <= 0 ? null : Math.round((total.sent / seconds) * 10) / 10,
    urgent: campaign.urgent === true,
    ...(campaign.status === 'scheduled' && campaign.resumeAt !== undefined ? { resumeAt: campaign.resumeAt, waitingFor: campaign.waitingFor ?? 'quiet-hours' } : {}),
    ...(campaign.schedule === undefined ? {} : { schedule: campaign.schedule }),
    ...(advice === undefined ? {} : { unknownAdvice: advice }),
    ...(replay.settledByReceipt.size === 0 ? {} : { settledByReceipts: replay.settledByReceipt.size }),
  };
}
