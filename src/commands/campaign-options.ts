import { canaleCommand } from '../core/shell-quote.js';
import { parseKeyValues } from '../core/attributes.js';
import type { ChannelChoice } from '../core/audience.js';
import { usageError } from '../core/errors.js';
import { checkId } from '../core/ids.js';
import { splitTopicList } from '../core/topic.js';
import type { TransportName } from '../core/transport.js';
import type { MessageSpec } from '../core/message/message-spec.js';
import { DEFAULT_CONCURRENCY } from '../sending/sending.js';
import type { SendRequest } from '../sending/prepare.js';

/** What `canale send` was asked to do, campaign mode. */
export interface CampaignSendOptions {
  readonly topics: readonly string[];
  readonly where: ReadonlyArray<{ key: string; value: string }>;
  readonly message?: string;
  readonly text?: string;
  /** The e-mail subject of a `--text` message. */
  readonly subject?: string;
  readonly channel: ChannelChoice;
  readonly via?: TransportName;
  readonly rate?: number;
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly urgent: boolean;
  /** Send what the WhatsApp daily tier allows now and the rest when it frees up. */
  readonly split: boolean;
  readonly allowFreeText: boolean;
  /** Send e-mail even when it can carry no unsubscribe link (publicUrl or unsubscribeSecret unset). */
  readonly allowNoUnsubscribe: boolean;
}

export interface ResumeOptions {
  readonly campaign: string;
  readonly retryFailed: boolean;
  readonly resendUnknown: boolean;
  readonly json: boolean;
  /** Ceilings on the campaign's own pace: a resume goes as fast as it was sent, or slower. */
  readonly concurrency?: number;
  readonly rate?: number;
}

/** `--channel`: each recipient's preferred channel (the default), all of the message's, or one. */
export function parseChannelChoice(text: string | undefined): ChannelChoice {
  const choice = (text ?? 'preferred').toLowerCase();
  if (choice === 'preferred' || choice === 'all' || choice === 'whatsapp' || choice === 'email') return choice;
  throw usageError('CHANNEL_INVALID', `--channel "${text}" is not whatsapp, email or all`);
}

export interface CampaignFlags {
  topic?: string[];
  where?: string[];
  message?: string;
  text?: string;
  subject?: string;
  channel?: string;
  via?: string;
  rate?: string;
  concurrency?: string;
  dryRun?: boolean;
  json?: boolean;
  urgent?: boolean;
  split?: boolean;
  allowFreeText?: boolean;
  allowNoUnsubscribe?: boolean;
  resume?: string;
  retryFailed?: boolean;
  resendUnknown?: boolean;
}

function positive(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw usageError('FLAG_INVALID', `${flag} "${text}" is not a number greater than 0`);
  return n;
}

export function parseVia(text: string | undefined): TransportName | undefined {
  if (text === undefined) return undefined;
  if (text === 'cloud-api' || text === 'smtp' || text === 'outbox') return text;
  throw usageError('SEND_VIA_INVALID', `--via ${text}: expected one of cloud-api, smtp, outbox`);
}

export function parseCampaignSend(flags: CampaignFlags): CampaignSendOptions {
  if (flags.message !== undefined && flags.text !== undefined) throw usageError('SEND_MESSAGE_TWICE', 'give the message once: --message FILE or --text TEXT, not both');
  if (flags.subject !== undefined && flags.text === undefined) throw usageError('SEND_SUBJECT_WITH_TEXT', '--subject goes with --text; a message file has its subject in the front matter');
  if (flags.subject !== undefined && /[\r\n]/.test(flags.subject)) throw usageError('SEND_SUBJECT_INVALID', '--subject must be one line');
  if (flags.retryFailed || flags.resendUnknown) throw usageError('SEND_RESUME_ONLY', '--retry-failed and --resend-unknown go with --resume CAMPAIGN');
  const topics = (flags.topic ?? []).flatMap(splitTopicList);
  if (topics.length === 0 && flags.message === undefined) {
    throw usageError('SEND_TOPIC_MISSING', 'say who gets it: --topic T (or a message file whose front matter lists topics)');
  }
  const rate = positive('--rate', flags.rate);
  const via = parseVia(flags.via);
  return {
    topics,
    where: parseKeyValues(flags.where ?? [], '--where'),
    ...(flags.message === undefined ? {} : { message: flags.message }),
    ...(flags.text === undefined ? {} : { text: flags.text }),
    ...(flags.subject === undefined ? {} : { subject: flags.subject.trim() }),
    channel: parseChannelChoice(flags.channel),
    ...(via === undefined ? {} : { via }),
    ...(rate === undefined ? {} : { rate }),
    concurrency: Math.round(positive('--concurrency', flags.concurrency) ?? DEFAULT_CONCURRENCY),
    dryRun: flags.dryRun === true,
    json: flags.json === true,
    urgent: flags.urgent === true,
    split: flags.split === true,
    allowFreeText: flags.allowFreeText === true,
    allowNoUnsubscribe: flags.allowNoUnsubscribe === true,
  };
}

/** `allowFreeText` → `--allow-free-text`: a flag as the person typed it. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export function parseResume(flags: CampaignFlags): ResumeOptions {
  if (flags.dryRun === true) throw usageError('SEND_RESUME_DRY_RUN', `--resume sends: to see what is left to send, use: ${canaleCommand('campaigns', 'show', flags.resume ?? 'ID')}`);
  const given = (['topic', 'where', 'message', 'text', 'subject', 'channel', 'via', 'urgent', 'split', 'allowFreeText', 'allowNoUnsubscribe'] as const).find((k) => flags[k] !== undefined);
  if (given !== undefined) throw usageError('SEND_RESUME_FIXED', `a resumed send keeps its message, recipients, transports and urgency: drop ${flagName(given)}`);
  const rate = positive('--rate', flags.rate);
  const concurrency = positive('--concurrency', flags.concurrency);
  return {
    campaign: checkId('campaign', flags.resume ?? '', '--resume'),
    retryFailed: flags.retryFailed === true,
    resendUnknown: flags.resendUnknown === true,
    json: flags.json === true,
    ...(concurrency === undefined ? {} : { concurrency: Math.max(1, Math.round(concurrency)) }),
    ...(rate === undefined ? {} : { rate }),
  };
}

/** The send a `canale send` command line asks for. */
export function requestOf(options: Omit<CampaignSendOptions, 'dryRun' | 'json' | 'concurrency' | 'message' | 'text' | 'subject'>, spec: MessageSpec): SendRequest {
  return {
    spec,
    topics: options.topics,
    where: options.where,
    channel: options.channel,
    ...(options.via === undefined ? {} : { via: options.via }),
    ...(options.rate === undefined ? {} : { rate: options.rate }),
    urgent: options.urgent,
    split: options.split,
    allowFreeText: options.allowFreeText,
    ...(options.allowNoUnsubscribe ? { allowNoUnsubscribe: true } : {}),
  };
}
