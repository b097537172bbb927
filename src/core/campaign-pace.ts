import type { Campaign } from './campaign.js';
import { CHANNEL_NAME } from './channels.js';
import type { Channel } from './subscriber.js';

/** How fast a send goes: messages a second per channel, and requests in flight per channel. */
export interface Pace {
  readonly rates: Readonly<Record<Channel, number>>;
  readonly concurrency: number;
}

/** What a resume asked for: `--rate` (both channels) and `--concurrency`, when given. */
export interface PaceAsked {
  readonly rate?: number;
  readonly concurrency?: number;
}

const label = (channel: Channel): string => CHANNEL_NAME[channel];
/** How a rate is said of each channel: `20/s on WhatsApp`, `10/s by e-mail`. */
const RATE_ON: Readonly<Record<Channel, string>> = { whatsapp: 'on WhatsApp', email: 'by e-mail' };

/** The channels a campaign sends on: those it froze a transport for. */
function channelsOf(campaign: Campaign): Channel[] {
  return (['whatsapp', 'email'] as const).filter((c) => campaign.transports[c] !== undefined);
}

/** `20/s on WhatsApp and 10/s by e-mail`: the recorded rates of the channels a campaign sends on. */
function describeRates(rates: Readonly<Partial<Record<Channel, number>>>, channels: readonly Channel[]): string {
  return channels.flatMap((c) => (rates[c] === undefined ? [] : [`${rates[c]}/s ${RATE_ON[c]}`])).join(' and ');
}

/**
 * The pace a resume (or `schedule run`) goes on at: the campaign's own, recorded when it was frozen, lowered — never
 * raised — by what the resume asked. `--rate N` is a ceiling for each channel (one recorded at 80/s and one at 20/s
 * go on at 50 and 20 with `--rate 50`). A campaign made before canale kept its pace goes at `fallback` (the settings
 * of today) or what was asked, as it always did.
 *
 * Returns why it is refused when what was asked could only be faster: a `--rate` above every channel's recorded
 * rate, or a `--concurrency` above the recorded one. Refusing says the recorded pace; capping silently would hide
 * that the resume is not what was typed.
 */
export function resumePace(campaign: Campaign, asked: PaceAsked, fallback: Pace): { readonly pace: Pace } | { readonly refused: string } {
  const recorded = campaign.rates ?? {};
  const channels = channelsOf(campaign);
  const known = channels.filter((c) => recorded[c] !== undefined);
  if (asked.rate !== undefined && known.length > 0 && known.every((c) => (asked.rate as number) > (recorded[c] as number))) {
    return { refused: `--rate ${asked.rate}: campaign ${campaign.id} was sent at ${describeRates(recorded, known)}, and a resume goes on at its own pace or slower — drop --rate, or give a lower one` };
  }
  if (asked.concurrency !== undefined && campaign.concurrency !== undefined && asked.concurrency > campaign.concurrency) {
    return { refused: `--concurrency ${asked.concurrency}: campaign ${campaign.id} was sent with ${campaign.concurrency} requests at a time, and a resume sends as many or fewer — drop --concurrency, or give a lower one` };
  }
  // a campaign made before its pace was kept: what was asked, else today's settings, as resumes always went
  if (campaign.rates === undefined && campaign.concurrency === undefined) {
    const rate = asked.rate;
    return { pace: { rates: rate === undefined ? fallback.rates : { whatsapp: rate, email: rate }, concurrency: asked.concurrency ?? fallback.concurrency } };
  }
  const lower = (own: number, ceiling: number | undefined): number => (ceiling === undefined ? own : Math.min(own, ceiling));
  return {
    pace: {
      rates: { whatsapp: lower(recorded.whatsapp ?? fallback.rates.whatsapp, asked.rate), email: lower(recorded.email ?? fallback.rates.email, asked.rate) },
      concurrency: lower(campaign.concurrency ?? fallback.concurrency, asked.concurrency),
    },
  };
}

/** `WhatsApp 20/s, e-mail 20/s, 20 request(s) at a time`: the pace of the channels a campaign sends on, for the person who resumes it. */
export function describePace(campaign: Campaign, pace: Pace): string {
  const rates = channelsOf(campaign).map((c) => `${label(c)} ${pace.rates[c]}/s`);
  return [...rates, `${pace.concurrency} request(s) at a time`].join(', ');
}
