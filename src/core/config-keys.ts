import { isSupportedCountry } from 'libphonenumber-js/max';
import { dnsNameProblem } from './dns-name.js';
import { usageError } from './errors.js';
import { formatQuietHours, parseQuietHours } from './schedule/quiet-hours.js';

export type ConfigValue = string | number;
export type ConfigSource = 'env' | 'config' | 'default';

/** One setting: its key in config.json, its environment variable, whether it is a secret, and its check. */
export interface ConfigKey {
  readonly key: string;
  readonly env?: string;
  readonly secret?: boolean;
  readonly fallback?: ConfigValue;
  readonly description: string;
  /** Returns the value to store, or a sentence saying what is expected. */
  readonly check: (text: string) => ConfigValue | { readonly expected: string };
}

const anyText = (text: string): ConfigValue => text;
const oneOf =
  (...values: string[]) =>
  (text: string): ConfigValue | { expected: string } =>
    values.includes(text) ? text : { expected: `one of ${values.join(', ')}` };
const positive = (text: string): ConfigValue | { expected: string } => {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : { expected: 'a number greater than 0' };
};
const positiveInteger = (text: string): ConfigValue | { expected: string } => {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : { expected: 'a whole number greater than 0' };
};
/** A price per message: a decimal number, 0 or more; a decimal comma (`0,0456`) is read as a point. */
const price = (text: string): ConfigValue | { expected: string } => {
  const decimal = text.replace(',', '.');
  const n = Number(decimal);
  return /^[\d.eE+-]+$/.test(decimal) && Number.isFinite(n) && n >= 0 ? n : { expected: 'a price per message: a decimal number, 0 or more, such as 0.0456' };
};
const currency = (text: string): ConfigValue | { expected: string } => {
  const code = text.toUpperCase();
  return /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf('currency').includes(code) ? code : { expected: 'a three-letter ISO 4217 currency code such as EUR' };
};
/** Quiet hours as `HH:MM-HH:MM` (stored in one writing: 21:00-08:00), or off. */
const quietHours = (text: string): ConfigValue | { expected: string } => {
  const parsed = parseQuietHours(text);
  if (parsed === 'off') return 'off';
  return 'error' in parsed ? { expected: 'hours such as 21:00-08:00 (from-to, in the time zone), or off' } : formatQuietHours(parsed).replace('–', '-');
};
const url =
  (...protocols: string[]) =>
  (text: string): ConfigValue | { expected: string } => {
    try {
      const parsed = new URL(text);
      return protocols.includes(parsed.protocol) ? text.replace(/\/+$/, '') : { expected: `a ${protocols.join(' or ')} URL` };
    } catch {
      return { expected: `a URL such as ${protocols[0]}//example.org` };
    }
  };

const dnsName =
  (what: 'selector' | 'domain') =>
  (text: string): ConfigValue | { expected: string } => {
    const expected = dnsNameProblem(what, text);
    return expected === undefined ? (what === 'domain' ? text.toLowerCase() : text) : { expected };
  };

/** Every setting canale knows (DESIGN §3). Later capabilities add theirs here, in one table. */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    key: 'country',
    fallback: 'IT',
    description: 'default country for phone numbers written without +prefix',
    check: (t) => (isSupportedCountry(t.toUpperCase()) ? t.toUpperCase() : { expected: 'a two-letter country code such as IT' }),
  },
  {
    key: 'timezone',
    fallback: 'Europe/Rome',
    description: 'time zone for schedules, quiet hours and the times shown',
    check: (t) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: t });
        return t;
      } catch {
        return { expected: 'an IANA time zone such as Europe/Rome' };
      }
    },
  },
  {
    key: 'quietHours.whatsapp',
    fallback: '21:00-08:00',
    description: 'no WhatsApp but urgent sends between these hours (HH:MM-HH:MM in the time zone), or off',
    check: quietHours,
  },
  { key: 'quietHours.email', fallback: 'off', description: 'no e-mail but urgent sends between these hours (HH:MM-HH:MM), or off', check: quietHours },
  { key: 'city.name', fallback: 'Comune', description: "the city's name, shown in e-mails and previews", check: anyText },
  { key: 'whatsapp.transport', description: 'cloud-api or outbox; unset: cloud-api when credentials are present', check: oneOf('cloud-api', 'outbox') },
  { key: 'whatsapp.token', env: 'CANALE_WHATSAPP_TOKEN', secret: true, description: 'Cloud API access token', check: anyText },
  { key: 'whatsapp.phoneNumberId', env: 'CANALE_WHATSAPP_PHONE_NUMBER_ID', description: 'the sending phone number id', check: anyText },
  { key: 'whatsapp.wabaId', env: 'CANALE_WHATSAPP_WABA_ID', description: 'the WhatsApp Business Account id', check: anyText },
  {
    key: 'whatsapp.apiUrl',
    env: 'CANALE_WHATSAPP_API_URL',
    fallback: 'https://graph.facebook.com',
    description: 'where the Graph API is',
    check: url('https:', 'http:'),
  },
  {
    key: 'whatsapp.apiVersion',
    env: 'CANALE_WHATSAPP_API_VERSION',
    fallback: 'v23.0',
    description: 'Graph API version',
    check: (t) => (/^v\d+\.\d+$/.test(t) ? t : { expected: 'a version such as v23.0' }),
  },
  { key: 'whatsapp.appSecret', env: 'CANALE_WHATSAPP_APP_SECRET', secret: true, description: 'app secret that signs webhooks', check: anyText },
  { key: 'whatsapp.verifyToken', env: 'CANALE_WHATSAPP_VERIFY_TOKEN', secret: true, description: 'webhook handshake token', check: anyText },
  {
    key: 'whatsapp.timeoutMs',
    env: 'CANALE_WHATSAPP_TIMEOUT_MS',
    fallback: 15000,
    description: 'milliseconds to wait for a Graph API answer before counting it as a timeout',
    check: positiveInteger,
  },
  {
    key: 'whatsapp.unreachableAfter',
    fallback: 3,
    description: 'undeliverable WhatsApp messages in a row (webhook receipts) after which a subscriber is flagged unreachable',
    check: positiveInteger,
  },
  { key: 'whatsapp.connections', fallback: 16, description: 'keep-alive connections to the Graph API', check: positiveInteger },
  { key: 'whatsapp.rate', fallback: 80, description: 'messages per second through the Cloud API', check: positive },
  {
    key: 'whatsapp.dailyLimit',
    description: "the account's messaging tier: unique recipients in 24 hours (250, 2000, 10000, 100000); unset: unlimited",
    check: positiveInteger,
  },
  { key: 'email.transport', description: 'smtp or outbox; unset: smtp when CANALE_SMTP_URL is set', check: oneOf('smtp', 'outbox') },
  { key: 'email.smtpUrl', env: 'CANALE_SMTP_URL', secret: true, description: 'smtp://user:pass@host:587 or smtps://…', check: url('smtp:', 'smtps:') },
  { key: 'email.from', env: 'CANALE_EMAIL_FROM', description: 'From: of the e-mails', check: anyText },
  {
    key: 'email.dkim.domain',
    env: 'CANALE_EMAIL_DKIM_DOMAIN',
    description: 'DKIM signing domain (d=), the From domain or a parent of it; with email.dkim.selector and email.dkim.keyFile',
    check: dnsName('domain'),
  },
  {
    key: 'email.dkim.selector',
    env: 'CANALE_EMAIL_DKIM_SELECTOR',
    description: 'DKIM selector (s=): the public key is the TXT record SELECTOR._domainkey.DOMAIN',
    check: dnsName('selector'),
  },
  {
    key: 'email.dkim.keyFile',
    env: 'CANALE_EMAIL_DKIM_KEY_FILE',
    description: 'path of the DKIM private key (PEM, RSA; relative: in the home); its content is never shown',
    check: (t) => (t === '' ? { expected: 'the path of a PEM private key file' } : t),
  },
  { key: 'email.connections', fallback: 4, description: 'SMTP connections kept open at once', check: positiveInteger },
  { key: 'email.messagesPerConnection', fallback: 100, description: 'e-mails sent over one SMTP connection before it is renewed', check: positiveInteger },
  { key: 'email.timeoutMs', fallback: 30000, description: 'milliseconds to wait on an SMTP server before counting it as a timeout', check: positiveInteger },
  { key: 'email.rate', fallback: 20, description: 'e-mails per second', check: positive },
  {
    key: 'email.greylistRetrySeconds',
    fallback: 300,
    description: 'seconds a recipient whose mail server greylisted them waits before the next try (the rest of the send goes on)',
    check: positiveInteger,
  },
  { key: 'send.maxAttempts', fallback: 5, description: 'attempts per recipient on a transient failure (5xx, timeout), the first included', check: positiveInteger },
  { key: 'send.maxConsecutiveFailures', fallback: 50, description: 'recipients failed in a row before a send pauses itself, resumable', check: positiveInteger },
  {
    key: 'send.unknownGraceMinutes',
    fallback: 10,
    description: 'minutes a WhatsApp request that got no answer waits for its receipt before --resend-unknown sends it again (0: at once)',
    check: (t) => (/^\d+$/.test(t) ? Number(t) : { expected: 'a whole number of minutes, 0 or more' }),
  },
  { key: 'publicUrl', env: 'CANALE_PUBLIC_URL', description: 'public base URL of `canale webhook serve` (unsubscribe links)', check: url('https:', 'http:') },
  { key: 'unsubscribeSecret', env: 'CANALE_UNSUBSCRIBE_SECRET', secret: true, description: 'key that signs unsubscribe links', check: anyText },
  { key: 'unsubscribe.tokenDays', fallback: 400, description: 'days an unsubscribe link works after the e-mail that carries it was sent', check: positiveInteger },
  { key: 'price.currency', fallback: 'EUR', description: 'currency of the prices below, for the cost estimate of preview and send', check: currency },
  ...(['marketing', 'utility', 'authentication'] as const).map(
    (category): ConfigKey => ({ key: `price.whatsapp.${category}`, fallback: 0, description: `price of one WhatsApp ${category} template message`, check: price }),
  ),
  { key: 'price.whatsapp.service', fallback: 0, description: 'price of one WhatsApp free-text (service) message', check: price },
  { key: 'price.email', fallback: 0, description: 'price of one e-mail', check: price },
];

/** The key's definition, or a usage error that lists the known keys. */
export function configKey(key: string): ConfigKey {
  const found = CONFIG_KEYS.find((k) => k.key === key);
  if (found === undefined) {
    throw usageError('CONFIG_KEY_UNKNOWN', `unknown setting "${key}" — known settings: ${CONFIG_KEYS.map((k) => k.key).join(', ')}`);
  }
  return found;
}

/** Checks a value typed for a key; the error names the key, the value and what is expected. */
export function checkConfigValue(key: string, text: string): ConfigValue {
  const definition = configKey(key);
  const value = definition.check(text.trim());
  if (typeof value === 'object') {
    const shown = definition.secret === true ? '(hidden)' : `"${hidePassword(text)}"`;
    throw usageError('CONFIG_VALUE_INVALID', `${key}: ${shown} is not valid — expected ${value.expected}`);
  }
  return value;
}

export interface ResolvedSetting {
  readonly key: string;
  readonly value: ConfigValue | undefined;
  readonly source: ConfigSource | 'unset';
  readonly secret: boolean;
}

/** Settings as they apply: environment, then config.json, then the default (DESIGN §3). */
export function resolveSettings(
  file: Readonly<Record<string, ConfigValue>>,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedSetting[] {
  return CONFIG_KEYS.map((k) => {
    const fromEnv = k.env === undefined ? undefined : env[k.env];
    const secret = k.secret === true;
    if (fromEnv !== undefined && fromEnv !== '') return { key: k.key, value: fromEnv, source: 'env', secret };
    const fromFile = file[k.key];
    if (fromFile !== undefined) return { key: k.key, value: fromFile, source: 'config', secret };
    if (k.fallback !== undefined) return { key: k.key, value: k.fallback, source: 'default', secret };
    return { key: k.key, value: undefined, source: 'unset', secret };
  });
}

/** A text with the password of any URL in it (`scheme://user:password@host`) replaced by `********`. */
export function hidePassword(text: string): string {
  return text.replace(/(\/\/[^/?#@\s:]*:)[^/?#@\s]*@/g, '$1********@');
}

/** What may be shown of a value: secrets become `********`, and a URL keeps everything but its password. */
export function redact(setting: ResolvedSetting): string {
  if (setting.value === undefined) return '';
  const text = String(setting.value);
  if (!setting.secret) return text;
  try {
    const parsed = new URL(text);
    if (parsed.protocol.startsWith('smtp')) {
      if (parsed.password !== '') parsed.password = '********';
      return parsed.toString();
    }
  } catch {
    // not a URL: hide all of it
  }
  return '********';
}
