import { unsubscribeLinks } from '../adapters/unsubscribe-links.js';
import type { RenderContext } from '../core/message/render.js';
import { isSettingKey, type SettingKey } from '../core/config-keys.js';
import { CanaleError } from '../core/errors.js';
import type { Settings } from '../core/settings.js';
import type { Prices } from '../core/plan.js';
import type { Clock } from '../core/ports.js';
import { parseQuietHours, type QuietHours } from '../core/schedule/quiet-hours.js';
import type { Channel } from '../core/subscriber.js';

export interface PlanSettings {
  readonly cityName: string;
  /** Whether `city.name` was set (else e-mails are signed with the default, "Comune"). */
  readonly cityNameSet: boolean;
  readonly publicUrl?: string;
  readonly unsubscribeSecret?: string;
  /** The clock unsubscribe links take their issue day from. */
  readonly clock: Clock;
  readonly rates: Readonly<Record<Channel, number>>;
  readonly prices: Prices;
  /** The WhatsApp messaging tier (unique recipients in 24 hours), when configured. */
  readonly whatsappDailyLimit?: number;
  /** The zone of schedules, quiet hours and the times shown. */
  readonly timezone: string;
  /** Quiet hours of the channels that have them. */
  readonly quietHours: Readonly<Partial<Record<Channel, QuietHours>>>;
}

/** Where the settings come from: a command's Context, or anything that resolves them and has a clock. */
export interface SettingsSource {
  settings(): Promise<Settings>;
  readonly deps: { readonly clock: Clock };
}

/** The settings a plan needs: city name, unsubscribe links, rates, prices (zero when unset) and tier. */
export async function readPlanSettings(ctx: SettingsSource): Promise<PlanSettings> {
  return planSettingsOf(await ctx.settings(), ctx.deps.clock);
}

/** The settings a plan needs, taken from settings resolved already (with a command's flags laid over them). */
export function planSettingsOf(settings: Settings, clock: Clock): PlanSettings {
  const publicUrl = settings.get('publicUrl');
  const unsubscribeSecret = settings.get('unsubscribeSecret');
  const dailyLimit = settings.get('whatsapp.dailyLimit');
  const quietHours: Partial<Record<Channel, QuietHours>> = {};
  for (const channel of ['whatsapp', 'email'] as const) {
    const parsed = parseQuietHours(settings.get(`quietHours.${channel}`));
    if (parsed === 'off') continue;
    if ('error' in parsed) throw new CanaleError('CONFIG_INVALID', `quietHours.${channel}: ${parsed.error} — fix it with: canale config set quietHours.${channel} 21:00-08:00`);
    quietHours[channel] = parsed;
  }
  const cityNameFrom = settings.source('city.name');
  return {
    ...(dailyLimit === undefined ? {} : { whatsappDailyLimit: dailyLimit }),
    timezone: settings.get('timezone'),
    quietHours,
    cityName: settings.get('city.name'),
    clock,
    cityNameSet: cityNameFrom === 'env' || cityNameFrom === 'config',
    ...(publicUrl === undefined ? {} : { publicUrl }),
    ...(unsubscribeSecret === undefined ? {} : { unsubscribeSecret }),
    rates: { whatsapp: settings.get('whatsapp.rate'), email: settings.get('email.rate') },
    prices: {
      currency: settings.get('price.currency'),
      whatsappTemplate: (category) => {
        const key = `price.whatsapp.${(category ?? 'utility').toLowerCase()}`;
        return isWhatsAppPriceKey(key) ? settings.get(key) : 0;
      },
      whatsappText: settings.get('price.whatsapp.service'),
      email: settings.get('price.email'),
    },
  };
}

/** A WhatsApp price setting: a template category's (a category with none costs nothing) or the free-text one. */
function isWhatsAppPriceKey(key: string): key is Extract<SettingKey, `price.whatsapp.${string}`> {
  return key.startsWith('price.whatsapp.') && isSettingKey(key);
}

/** What rendering needs from the settings: the city's name and the signed unsubscribe links. */
export function renderContextOf(settings: PlanSettings): RenderContext {
  return { cityName: settings.cityName, links: unsubscribeLinks(settings.publicUrl, settings.unsubscribeSecret, settings.clock) };
}

/** The settings with `--rate` (one rate for both channels), when given, over each channel's rate. */
export function withRate(settings: Settings, rate: number | undefined): Settings {
  return rate === undefined ? settings : settings.withOverride('whatsapp.rate', rate).withOverride('email.rate', rate);
}

/** The rates a send goes at: `--rate` (one rate for both channels) when given, else each channel's setting. */
export function ratesOf(settings: PlanSettings, override: number | undefined): Readonly<Record<Channel, number>> {
  return override === undefined ? settings.rates : { whatsapp: override, email: override };
}
