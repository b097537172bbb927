import type { ChannelChoice, SkipReason } from './audience.js';
import type { MessageSpec } from './message/message-spec.js';
import type { Channel } from './subscriber.js';
import type { TransportName } from './transport.js';

export type CampaignId = string & { readonly __brand: 'CampaignId' };

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
}

/** Statuses from which `send --resume` may continue. */
export function isResumable(status: CampaignStatus): boolean {
  return status === 'interrupted' || status === 'sending' || status === 'scheduled';
}
