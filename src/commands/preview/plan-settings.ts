import { unsubscribeLinks } from '../../adapters/unsubscribe-links.js';
import type { RenderContext } from '../../core/message/render.js';
import type { Prices } from '../../core/plan.js';
import type { Channel } from '../../core/subscriber.js';
import type { Context } from '../context.js';

export interface PlanSettings {
  readonly cityName: string;
  readonly publicUrl?: string;
  readonly unsubscribeSecret?: string;
  readonly rates: Readonly<Record<Channel, number>>;
  readonly prices: Prices;
  /** The WhatsApp messaging tier (unique recipients in 24 hours), when configured. */
  readonly whatsappDailyLimit?: number;
}

/** The settings a plan needs: city name, unsubscribe links, rates, prices (zero when unset) and tier. */
export async function readPlanSettings(ctx: Context): Promise<PlanSettings> {
  const settings = new Map((await ctx.settings()).map((s) => [s.key, s.value]));
  const text = (key: string): string | undefined => (settings.get(key) === undefined ? undefined : String(settings.get(key)));
  const number = (key: string, fallback: number): number => {
    const value = Number(settings.get(key));
    return settings.get(key) !== undefined && Number.isFinite(value) ? value : fallback;
  };
  const publicUrl = text('publicUrl');
  const unsubscribeSecret = text('unsubscribeSecret');
  const dailyLimit = settings.get('whatsapp.dailyLimit');
  return {
    ...(dailyLimit === undefined ? {} : { whatsappDailyLimit: Number(dailyLimit) }),
    cityName: text('city.name') ?? 'Comune',
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
  return { cityName: settings.cityName, links: unsubscribeLinks(settings.publicUrl, settings.unsubscribeSecret) };
}

/** The rate of each channel: the settings', or `--rate` for both. */
export function ratesOf(settings: PlanSettings, override: number | undefined): Readonly<Record<Channel, number>> {
  return override === undefined ? settings.rates : { whatsapp: override, email: override };
}
