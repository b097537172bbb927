import { join, resolve } from 'node:path';
import { envNameOf, type SettingKey } from '../../core/config-keys.js';
import { CanaleError, usageError } from '../../core/errors.js';
import { CHANNEL_NAME } from '../../core/channels.js';
import type { Settings } from '../../core/settings.js';
import type { Channel } from '../../core/subscriber.js';
import type { TransportName } from '../../core/transport.js';

/** Which transport a channel uses and why; `warning` is set when it fell back to the outbox. */
export interface TransportChoice {
  readonly channel: Channel;
  readonly name: TransportName;
  readonly why: 'flag' | 'config' | 'credentials' | 'fallback' | 'frozen';
  readonly warning?: string;
}

/** The transport that reaches citizens on each channel. */
export const REAL_TRANSPORT: Readonly<Record<Channel, TransportName>> = { whatsapp: 'cloud-api', email: 'smtp' };
const CREDENTIALS: Readonly<Record<Channel, readonly SettingKey[]>> = {
  whatsapp: ['whatsapp.token', 'whatsapp.phoneNumberId'],
  email: ['email.smtpUrl', 'email.from'],
};

/** The settings a channel's real transport cannot be built without: config keys and their environment variables. */
export function credentialsOf(channel: Channel): ReadonlyArray<{ readonly key: SettingKey; readonly env: string }> {
  return CREDENTIALS[channel].map((key) => ({ key, env: envNameOf(key) ?? key }));
}

/** The settings of `keys` that are not set, named by their environment variables. */
export function missingSettings(settings: Settings, keys: readonly SettingKey[]): string[] {
  return keys.filter((k) => !settings.has(k)).map((k) => envNameOf(k) ?? k);
}

/**
 * DESIGN §3: `--via` for this run, else the channel's `transport` setting, else the real transport when its
 * credentials are present, else the outbox with a visible warning. A real transport asked for without its
 * credentials is an error that names what to set.
 */
export function chooseTransport(channel: Channel, settings: Settings, via?: TransportName): TransportChoice {
  const configured = settings.get(`${channel}.transport`);
  const asked = via ?? configured;
  if (asked !== undefined) {
    if (asked !== 'outbox' && asked !== REAL_TRANSPORT[channel]) {
      throw usageError('TRANSPORT_WRONG_CHANNEL', `${asked} cannot send ${CHANNEL_NAME[channel]} messages — use ${REAL_TRANSPORT[channel]} or outbox`);
    }
    const missing = asked === 'outbox' ? [] : missingSettings(settings, CREDENTIALS[channel]);
    if (missing.length > 0) {
      throw new CanaleError('TRANSPORT_NOT_CONFIGURED', `${asked} needs ${missing.join(' and ')} — set them in the environment or with: canale config set KEY VALUE`);
    }
    return { channel, name: asked, why: via !== undefined ? 'flag' : 'config' };
  }
  const missing = missingSettings(settings, CREDENTIALS[channel]);
  if (missing.length === 0) return { channel, name: REAL_TRANSPORT[channel], why: 'credentials' };
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
    const missing = credentialsOf(channel).filter((c) => !settings.has(c.key));
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
    `${where.what} sends ${gaps.map((g) => `${CHANNEL_NAME[g.channel]} through ${g.name}`).join(' and ')}, but ${listed} not set here — ` +
      `put them in ${join(where.home, 'schedule.env')} as NAME=value lines (the crontab line and the systemd unit of canale schedule install --print load it), ` +
      `or keep them in the home with canale config set KEY VALUE (canale config set ${missing[0]?.key ?? 'KEY'} …); nothing was sent`,
  );
}

/** The email.dkim.* settings that are set; a relative key file is in the home, wherever canale is run from (cron). */
export function dkimSettings(settings: Settings, home: string): { domain?: string; selector?: string; keyFile?: string } {
  const keyFile = settings.get('email.dkim.keyFile');
  const domain = settings.get('email.dkim.domain');
  const selector = settings.get('email.dkim.selector');
  return { ...(domain === undefined ? {} : { domain }), ...(selector === undefined ? {} : { selector }), ...(keyFile === undefined ? {} : { keyFile: resolve(home, keyFile) }) };
}
