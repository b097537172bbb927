import { unsubscribeLinks } from '../adapters/unsubscribe-links.js';
import type { RenderContext } from '../core/message/render.js';
import { CanaleError } from '../core/errors.js';
import type { Prices } from '../core/plan.js';
import type { Clock } from '../core/ports.js';
import { parseQuietHours, type QuietHours } from '../core/schedule/quiet-hours.js';
import type { Channel } from '../core/subscriber.js';
import type { ResolvedSetting } from '../core/config-keys.js';

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
  settings(): Promise<readonly ResolvedSetting[]>;
  readonly deps: { readonly clock: Clock };
}

/** The settings a plan needs, read from a command's settings. */
export async function readPlanSettings(ctx: SettingsSource): Promise<PlanSettings> {
  return planSettingsOf(await ctx.settings(), ctx.deps.clock);
}

/** The settings a plan needs: city name, unsubscribe links, rates, prices (zero when unset) and tier. */
export function planSettingsOf(resolved: readonly ResolvedSetting[], clock: Clock): PlanSettings {
  const settings = new Map(resolved.map((s) => [s.key, s.value]));
  const text = (key: string): string | undefined => (settings.get(key) === undefined ? undefined : String(settings.get(key)));
  const number = (key: string, fallback: number): number => {
    const value = Number(settings.get(key));
    return settings.get(key) !== undefined && Number.isFinite(value) ? value : fallback;
  };
  const publicUrl = text('publicUrl');
  const unsubscribeSecret = text('unsubscribeSecret');
  const dailyLimit = settings.get('whatsapp.dailyLimit');
  const quietHours: Partial<Record<Channel, QuietHours>> = {};
  for (const channel of ['whatsapp', 'email'] as const) {
    const parsed = parseQuietHours(text(`quietHours.${channel}`) ?? 'off');
    if (parsed === 'off') continue;
    if ('error' in parsed) throw new CanaleError('CONFIG_INVALID', `quietHours.${channel}: ${parsed.error} — fix it with: canale config set quietHours.${channel} 21:00-08:00`);
    quietHours[channel] = parsed;
  }
  return {
    ...(dailyLimit === undefined ? {} : { whatsappDailyLimit: Number(dailyLimit) }),
    timezone: text('timezone') ?? 'Europe/Rome',
    quietHours,
    cityName: text('city.name') ?? 'Comune',
    clock,
    cityNameSet: resolved.some((s) => s.key === 'city.name' && (s.source === 'env' || s.source === 'config')),
    ...(publicUrl === undefined ? {} : { publicUrl }),
    ...(unsubscribeSecret === undefined ? {} : { unsubscribeSecret }),
    rates: { whatsapp: number('whatsapp.rate', 80), email: number('email.rate', 20) },
    prices: {
      currency: text('price.currency') ?? 'EUR',
      whatsappTemplate: (category) => number(`price.whatsapp.${(category ?? 'utility').toLowerCase()}`, 0),
      whatsappText: number('price.whatsapp.service', 0),
      email: number('price.email', 0),
    },
  };
}

/** What rendering needs from the settings: the city's name and the signed unsubscribe links. */
export function renderContextOf(settings: PlanSettings): RenderContext {
  return { cityName: settings.cityName, links: unsubscribeLinks(settings.publicUrl, settings.unsubscribeSecret, settings.clock) };
}

/** The rate of each channel: the settings', or `--rate` for both. */
export function ratesOf(settings: PlanSettings, override: number | undefined): Readonly<Record<Channel, number>> {
  return override === undefined ? settings.rates : { whatsapp: override, email: override };
}
