import type { ChannelChoice, SkipReason } from './audience.js';
import type { MessageSpec } from './message/message-spec.js';
import type { Channel } from './subscriber.js';
import type { TransportName } from './transport.js';

export type CampaignId = string & { readonly __brand: 'CampaignId' };

/** What the provider's throttling did to one channel of a send: its "too fast" answers, the times the rate was halved, the lowest rate. */
export interface Throttling {
  readonly answers: number;
  readonly slowdowns: number;
  /** Messages a second, the lowest the rate went. */
  readonly lowestRate: number;
}

/** Why a campaign waits, status `scheduled`. */
export type WaitReason = 'quiet-hours' | 'daily-limit';

export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'interrupted' | 'completed' | 'cancelled';

/**
 * A send, as recorded before its first message (DESIGN §5): the message as it was when sent, the audience query,
 * channels and transports, and where it stands. The frozen recipient list and the journal live in the
 * campaign's folder, not here, so db.json stays small however large the audience.
 */
export interface Campaign {
  readonly id: CampaignId;
  readonly status: CampaignStatus;
  readonly message: MessageSpec;
  readonly query: {
    readonly topics: readonly string[];
    readonly where: ReadonlyArray<{ readonly key: string; readonly value: string }>;
    readonly channel: ChannelChoice;
  };
  readonly channels: readonly Channel[];
  readonly transports: Readonly<Partial<Record<Channel, TransportName>>>;
  readonly recipients: number;
  /** Who the plan left out, by reason: part of every report. */
  readonly plannedSkips: ReadonlyArray<{ readonly reason: SkipReason; readonly count: number }>;
  /** Urgent (emergencies): quiet hours do not apply; opt-outs still do. */
  readonly urgent?: boolean;
  /** Sent in parts by the WhatsApp daily tier (`--split`): each part up to what the tier allows. */
  readonly split?: boolean;
  /** Free text through the Cloud API was allowed (`--allow-free-text`). */
  readonly allowFreeText?: boolean;
  /**
   * Its own pace, as it was sent (`--rate`, else the settings; `--concurrency`): every resume and `schedule run`
   * goes on at it or slower. Absent in campaigns made before it was kept.
   */
  readonly rates?: Readonly<Partial<Record<Channel, number>>>;
  readonly concurrency?: number;
  /** The schedule that made it, when `schedule run` did. */
  readonly schedule?: string;
  /**
   * With status `scheduled`: when it goes on by itself (the first `schedule run` from then), and why it waits —
   * quiet hours, or the daily tier.
   */
  readonly resumeAt?: string;
  readonly waitingFor?: WaitReason;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Why the send stopped, and what to do, when it is interrupted. */
  readonly stopReason?: string;
  /**
   * What stopped it, as a code: the failure's (`WHATSAPP_TOKEN_INVALID`, a throttling code when the provider kept
   * throttling), `CONSECUTIVE_FAILURES`, or `SIGNAL` (Ctrl-C, SIGTERM). Absent in campaigns made before it was kept.
   */
  readonly stopCode?: string;
  /**
   * The provider's throttling met by every run of the send, per channel that sent (zeros: none). Absent in
   * campaigns made before it was kept, or never started: then nothing is known about it.
   */
  readonly throttling?: Readonly<Partial<Record<Channel, Throttling>>>;
}

/**
 * The campaign with one more run's throttling added to what earlier runs met: answers and halvings add up, the lowest
 * rate is kept. A channel that met none is recorded with zeros, so "no throttling" is known, not assumed.
 */
export function addThrottling(campaign: Campaign, met: Readonly<Partial<Record<Channel, Throttling>>>): Campaign {
  const total: Partial<Record<Channel, Throttling>> = { ...campaign.throttling };
  for (const [channel, now] of Object.entries(met) as Array<[Channel, Throttling]>) {
    const before = total[channel];
    if (before === undefined || before.answers === 0) total[channel] = now;
    else if (now.answers > 0) total[channel] = { answers: before.answers + now.answers, slowdowns: before.slowdowns + now.slowdowns, lowestRate: Math.min(before.lowestRate, now.lowestRate) };
  }
  return Object.keys(total).length === 0 ? campaign : { ...campaign, throttling: total };
}

/** Statuses from which `send --resume` may continue. */
export function isResumable(status: CampaignStatus): boolean {
  return status === 'interrupted' || status === 'sending' || status === 'scheduled';
}
