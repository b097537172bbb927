import { isSupportedCountry } from 'libphonenumber-js/max';
import { dnsNameProblem } from './dns-name.js';
import { usageError } from './errors.js';
import { fromInternational } from './phone.js';
import { formatQuietHours, parseQuietHours } from './schedule/quiet-hours.js';

export type ConfigValue = string | number;
/** Where a setting's value comes from: a command's flag, the environment, config.json or the table's fallback. */
export type ConfigSource = 'flag' | 'env' | 'config' | 'default';
/** What a check says of a text it refuses: what it expected instead. */
export interface Expected {
  readonly expected: string;
}

/**
 * One setting: its key in config.json, its environment variable, whether it is a secret, and its check. The
 * check is the setting's kind: what it returns (a number, a text, one of some words) is the type the setting's
 * value has everywhere (`SettingValue`).
 */
export interface ConfigKey {
  readonly key: string;
  readonly env?: string;
  readonly secret?: boolean;
  readonly fallback?: ConfigValue;
  readonly description: string;
  /** Returns the value to store, or a sentence saying what is expected. */
  readonly check: (text: string) => ConfigValue | Expected;
}

const anyText = (text: string): string => text;
const oneOf =
  <const V extends string>(...values: V[]) =>
  (text: string): V | Expected =>
    (values as readonly string[]).includes(text) ? (text as V) : { expected: `one of ${values.join(', ')}` };
const positive = (text: string): number | Expected => {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : { expected: 'a number greater than 0' };
};
const positiveInteger = (text: string): number | Expected => {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : { expected: 'a whole number greater than 0' };
};
/** A price per message: a decimal number, 0 or more; a decimal comma (`0,0456`) is read as a point. */
const price = (text: string): number | Expected => {
  const decimal = text.replace(',', '.');
  const n = Number(decimal);
  return /^[\d.eE+-]+$/.test(decimal) && Number.isFinite(n) && n >= 0 ? n : { expected: 'a price per message: a decimal number, 0 or more, such as 0.0456' };
};
const currency = (text: string): string | Expected => {
  const code = text.toUpperCase();
  return /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf('currency').includes(code) ? code : { expected: 'a three-letter ISO 4217 currency code such as EUR' };
};
/** Quiet hours as `HH:MM-HH:MM` (stored in one writing: 21:00-08:00), or off. */
const quietHours = (text: string): string | Expected => {
  const parsed = parseQuietHours(text);
  if (parsed === 'off') return 'off';
  return 'error' in parsed ? { expected: 'hours such as 21:00-08:00 (from-to, in the time zone), or off' } : formatQuietHours(parsed).replace('–', '-');
};
const url =
  (...protocols: string[]) =>
  (text: string): string | Expected => {
    try {
      const parsed = new URL(text);
      return protocols.includes(parsed.protocol) ? text.replace(/\/+$/, '') : { expected: `a ${protocols.join(' or ')} URL` };
    } catch {
      return { expected: `a URL such as ${protocols[0]}//example.org` };
    }
  };

/** A phone number written with its international prefix (`+39 06 1234 5678`), stored in E.164: `+390612345678`. */
const internationalPhone = (text: string): string | Expected =>
  fromInternational(text) ?? { expected: 'a phone number with its international prefix, such as +39 06 1234 5678' };

const dnsName =
  (what: 'selector' | 'domain') =>
  (text: string): string | Expected => {
    const expected = dnsNameProblem(what, text);
    return expected === undefined ? (what === 'domain' ? text.toLowerCase() : text) : { expected };
  };

/** Every setting canale knows (DESIGN §3). Later capabilities add theirs here, in one table. */
export const CONFIG_KEYS = [
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
  {
    key: 'whatsapp.number',
    env: 'CANALE_WHATSAPP_NUMBER',
    description: "the city's WhatsApp number as citizens see it (+39 …): click-to-chat links and QR codes for posters, the sign-up page's confirmation link",
    check: internationalPhone,
  },
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
  {
    key: 'database.url',
    env: 'CANALE_DATABASE_URL',
    secret: true,
    description: 'postgres://user:pass@host:5432/canale: keep everything in PostgreSQL (several machines) instead of the home; unset: the home',
    check: url('postgres:', 'postgresql:'),
  },
  { key: 'publicUrl', env: 'CANALE_PUBLIC_URL', description: 'public base URL of `canale webhook serve` (unsubscribe links)', check: url('https:', 'http:') },
  { key: 'unsubscribeSecret', env: 'CANALE_UNSUBSCRIBE_SECRET', secret: true, description: 'key that signs the links of the pages citizens open: unsubscribe and preferences, sign-up forms and their confirmations', check: anyText },
  { key: 'unsubscribe.tokenDays', fallback: 400, description: 'days an unsubscribe link works after the e-mail that carries it was sent', check: positiveInteger },
  {
    key: 'privacy.noticeUrl',
    env: 'CANALE_PRIVACY_NOTICE_URL',
    description: "address of the city's privacy notice (informativa privacy), linked from the sign-up page and its consent box; required for GET /iscriviti",
    check: url('https:', 'http:'),
  },
  {
    key: 'privacy.noticeVersion',
    fallback: '1',
    description: 'version of that notice, recorded with every consent given on the sign-up page or by tapping a topic on WhatsApp: change it when the notice changes',
    check: (t) => (/^[\w.-]{1,40}$/.test(t) ? t : { expected: 'a short version such as 2 or 2026-03 (letters, digits, . _ -)' }),
  },
  { key: 'signup.pendingDays', fallback: 7, description: 'days a sign-up from the web page waits for its confirmation; after that it is deleted', check: positiveInteger },
  {
    key: 'signup.whatsappTemplate',
    description: 'an approved utility template canale sends to confirm a WhatsApp sign-up from the web page (its one body parameter: the code); unset: the page shows a link to write CONFERMA and the code',
    check: (t) => (/^[a-z0-9_]{1,512}$/.test(t) ? t : { expected: "a template's name: lower-case letters, digits and _" }),
  },
  { key: 'price.currency', fallback: 'EUR', description: 'currency of the prices below, for the cost estimate of preview and send, and of the reply traffic', check: currency },
  { key: 'price.whatsapp.marketing', fallback: 0, description: 'price of one WhatsApp marketing template message', check: price },
  { key: 'price.whatsapp.utility', fallback: 0, description: 'price of one WhatsApp utility template message', check: price },
  { key: 'price.whatsapp.authentication', fallback: 0, description: 'price of one WhatsApp authentication template message', check: price },
  { key: 'price.whatsapp.service', fallback: 0, description: 'price of one WhatsApp free-text (service) message: a free-text send, and each answer webhook serve sends citizens (reply traffic)', check: price },
  { key: 'price.email', fallback: 0, description: 'price of one e-mail', check: price },
] as const satisfies readonly ConfigKey[];

type Entry = (typeof CONFIG_KEYS)[number];
/** The name of a setting canale knows. */
export type SettingKey = Entry['key'];
type EntryOf<K extends SettingKey> = Extract<Entry, { readonly key: K }>;
/** A setting's value as its check returns it; `undefined` too when the table gives it no fallback. */
export type SettingValue<K extends SettingKey> = K extends SettingKey
  ? Exclude<ReturnType<EntryOf<K>['check']>, Expected> | (EntryOf<K> extends { readonly fallback: ConfigValue } ? never : undefined)
  : never;

export function isSettingKey(key: string): key is SettingKey {
  return CONFIG_KEYS.some((k) => k.key === key);
}

/** The environment variable that sets a key (messages name it), when it has one. */
export function envNameOf(key: SettingKey): string | undefined {
  return configKey(key).env;
}

/** The key's definition, or a usage error that lists the known keys. */
export function configKey(key: string): ConfigKey {
  const found: ConfigKey | undefined = CONFIG_KEYS.find((k) => k.key === key);
  if (found === undefined) {
    throw usageError('CONFIG_KEY_UNKNOWN', `unknown setting "${key}" — known settings: ${CONFIG_KEYS.map((k) => k.key).join(', ')}`);
  }
  return found;
}

/** Checks a value typed for a key; the error names the key, the value and what is expected. */
export function checkConfigValue(key: string, text: string): ConfigValue {
  const definition = configKey(key);
  const value = definition.check(text.trim());
  if (typeof value === 'object') throw usageError('CONFIG_VALUE_INVALID', describeRefused(definition, text, value));
  return value;
}

/** `key: "text" is not valid — expected …`, the text hidden when the key is a secret (and any URL's password). */
export function describeRefused(definition: ConfigKey, text: string, refused: Expected): string {
  const shown = definition.secret === true ? '(hidden)' : `"${hidePassword(text)}"`;
  return `${definition.key}: ${shown} is not valid — expected ${refused.expected}`;
}

/** One setting as it applies, for `config list` and `doctor`: its value as given (the environment's is text). */
export interface ResolvedSetting {
  readonly key: SettingKey;
  readonly value: ConfigValue | undefined;
  readonly source: ConfigSource | 'unset';
  readonly secret: boolean;
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
    if (parsed.protocol.startsWith('smtp') || parsed.protocol.startsWith('postgres')) {
      if (parsed.password !== '') parsed.password = '********';
      return parsed.toString();
    }
  } catch {
    // not a URL: hide all of it
  }
  return '********';
}
