import { join, resolve } from 'node:path';
import type { ConfigValue, ResolvedSetting } from '../../core/config-keys.js';
import { CanaleError, usageError } from '../../core/errors.js';
import type { Clock } from '../../core/ports.js';
import type { Channel } from '../../core/subscriber.js';
import type { Transport, TransportName } from '../../core/transport.js';
import { CloudApiTransport } from './cloud-api/cloud-api-transport.js';
import { OutboxTransport } from './outbox/outbox-transport.js';
import { readDkimKey } from './smtp/dkim.js';
import { SmtpTransport } from './smtp/smtp-transport.js';

/** Which transport a channel uses and why; `warning` is set when it fell back to the outbox. */
export interface TransportChoice {
  readonly channel: Channel;
  readonly name: TransportName;
  readonly why: 'flag' | 'config' | 'credentials' | 'fallback' | 'frozen';
  readonly warning?: string;
}

type Settings = ReadonlyMap<string, ConfigValue | undefined>;

const REAL: Readonly<Record<Channel, TransportName>> = { whatsapp: 'cloud-api', email: 'smtp' };
const CREDENTIALS: Readonly<Record<Channel, readonly string[]>> = {
  whatsapp: ['whatsapp.token', 'whatsapp.phoneNumberId'],
  email: ['email.smtpUrl', 'email.from'],
};
const ENV: Readonly<Record<string, string>> = {
  'whatsapp.token': 'CANALE_WHATSAPP_TOKEN',
  'whatsapp.phoneNumberId': 'CANALE_WHATSAPP_PHONE_NUMBER_ID',
  'whatsapp.wabaId': 'CANALE_WHATSAPP_WABA_ID',
  'email.smtpUrl': 'CANALE_SMTP_URL',
  'email.from': 'CANALE_EMAIL_FROM',
};

/** The settings a channel's real transport cannot be built without: config keys and their environment variables. */
export function credentialsOf(channel: Channel): ReadonlyArray<{ readonly key: string; readonly env: string }> {
  return CREDENTIALS[channel].map((key) => ({ key, env: ENV[key] ?? key }));
}

export function settingsMap(settings: readonly ResolvedSetting[]): Settings {
  return new Map(settings.map((s) => [s.key, s.value]));
}

/** The settings of `keys` that are not set, named by their environment variables. */
export function missingSettings(settings: Settings, keys: readonly string[]): string[] {
  return keys.filter((k) => settings.get(k) === undefined || settings.get(k) === '').map((k) => ENV[k] ?? k);
}

/**
 * DESIGN §3: `--via` for this run, else the channel's `transport` setting, else the real transport when its
 * credentials are present, else the outbox with a visible warning. A real transport asked for without its
 * credentials is an error that names what to set.
 */
export function chooseTransport(channel: Channel, settings: Settings, via?: TransportName): TransportChoice {
  const configured = settings.get(`${channel}.transport`) as TransportName | undefined;
  const asked = via ?? configured;
  if (asked !== undefined) {
    if (asked !== 'outbox' && asked !== REAL[channel]) {
      throw usageError('TRANSPORT_WRONG_CHANNEL', `${asked} cannot send ${channel === 'email' ? 'e-mail' : 'WhatsApp'} messages — use ${REAL[channel]} or outbox`);
    }
    const missing = asked === 'outbox' ? [] : missingSettings(settings, CREDENTIALS[channel]);
    if (missing.length > 0) {
      throw new CanaleError('TRANSPORT_NOT_CONFIGURED', `${asked} needs ${missing.join(' and ')} — set them in the environment or with: canale config set KEY VALUE`);
    }
    return { channel, name: asked, why: via !== undefined ? 'flag' : 'config' };
  }
  const missing = missingSettings(settings, CREDENTIALS[channel]);
  if (missing.length === 0) return { channel, name: REAL[channel], why: 'credentials' };
  return {
    channel,
    name: 'outbox',
    why: 'fallback',
    warning: `${channel}: no ${missing.join(', ')} set — messages go to the outbox (files in the home), nothing is sent`,
  };
}

/**
 * The transports a campaign or schedule was planned with (frozen in its record), now: never others. A real
 * transport whose credentials are missing where it runs is one error naming them all — environment variable and
 * config key — and where to put them, so a scheduled send cannot fall back to the outbox unseen; the outbox comes
 * with the warning an interactive send gives.
 */
export function frozenTransports(
  transports: Readonly<Partial<Record<Channel, TransportName>>>,
  settings: Settings,
  where: { readonly home: string; readonly what: string },
): Partial<Record<Channel, TransportChoice>> {
  const choices: Partial<Record<Channel, TransportChoice>> = {};
  const gaps: Array<{ readonly channel: Channel; readonly name: TransportName; readonly missing: ReturnType<typeof credentialsOf> }> = [];
  for (const [channel, name] of Object.entries(transports) as Array<[Channel, TransportName]>) {
    const missing = credentialsOf(channel).filter((c) => settings.get(c.key) === undefined || settings.get(c.key) === '');
    if (name === 'outbox') {
      const why = missing.length > 0 ? `no ${missing.map((c) => c.env).join(', ')} set` : 'planned for the outbox';
      choices[channel] = { channel, name, why: 'frozen', warning: `${channel}: ${why} — messages go to the outbox (files in the home), nothing is sent` };
    } else if (missing.length > 0) gaps.push({ channel, name, missing });
    else choices[channel] = { channel, name, why: 'frozen' };
  }
  if (gaps.length === 0) return choices;
  const missing = gaps.flatMap((g) => g.missing);
  const names = missing.map((c) => `${c.env} (${c.key})`);
  const listed = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''} are` : `${names[0] ?? ''} is`;
  throw new CanaleError(
    'TRANSPORT_CREDENTIALS_MISSING',
    `${where.what} sends ${gaps.map((g) => `${g.channel === 'email' ? 'e-mail' : 'WhatsApp'} through ${g.name}`).join(' and ')}, but ${listed} not set here — ` +
      `put them in ${join(where.home, 'schedule.env')} as NAME=value lines (the crontab line and the systemd unit of canale schedule install --print load it), ` +
      `or keep them in the home with canale config set KEY VALUE (canale config set ${missing[0]?.key ?? 'KEY'} …); nothing was sent`,
  );
}

export interface TransportDeps {
  readonly home: string;
  readonly clock: Clock;
}

/** The email.dkim.* settings that are set; a relative key file is in the home, wherever canale is run from (cron). */
export function dkimSettings(settings: Settings, home: string): { domain?: string; selector?: string; keyFile?: string } {
  const value = (key: string): string | undefined => {
    const v = settings.get(key);
    return v === undefined || v === '' ? undefined : String(v);
  };
  const keyFile = value('email.dkim.keyFile');
  const domain = value('email.dkim.domain');
  const selector = value('email.dkim.selector');
  return { ...(domain === undefined ? {} : { domain }), ...(selector === undefined ? {} : { selector }), ...(keyFile === undefined ? {} : { keyFile: resolve(home, keyFile) }) };
}

/** Builds the chosen transport from the settings. */
export function buildTransport(choice: TransportChoice, settings: Settings, deps: TransportDeps): Transport {
  const text = (key: string): string => String(settings.get(key) ?? '');
  const number = (key: string): number => {
    const value = Number(settings.get(key));
    if (!Number.isFinite(value) || value <= 0) {
      throw new CanaleError('CONFIG_VALUE_INVALID', `${key}: "${String(settings.get(key))}" is not valid — expected a number greater than 0; fix with: canale config set ${key} VALUE`);
    }
    return value;
  };
  switch (choice.name) {
    case 'cloud-api':
      return new CloudApiTransport({
        apiUrl: text('whatsapp.apiUrl'),
        apiVersion: text('whatsapp.apiVersion'),
        token: text('whatsapp.token'),
        phoneNumberId: text('whatsapp.phoneNumberId'),
        timeoutMs: number('whatsapp.timeoutMs'),
        connections: number('whatsapp.connections'),
      });
    case 'smtp': {
      const dkim = readDkimKey(dkimSettings(settings, deps.home));
      return new SmtpTransport({
        url: text('email.smtpUrl'),
        from: text('email.from'),
        connections: number('email.connections'),
        messagesPerConnection: number('email.messagesPerConnection'),
        timeoutMs: number('email.timeoutMs'),
        greylistRetryMs: number('email.greylistRetrySeconds') * 1000,
        clock: deps.clock,
        ...(dkim === undefined ? {} : { dkim }),
      });
    }
    case 'outbox': {
      const from = settings.get('email.from');
      return new OutboxTransport({ home: deps.home, channel: choice.channel, from: from === undefined ? `${text('city.name')} <outbox@canale.invalid>` : String(from), clock: deps.clock });
    }
    default: {
      const unreachable: never = choice.name;
      return unreachable;
    }
  }
}
