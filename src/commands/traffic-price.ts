import type { Context } from './context.js';

/** What reply traffic is counted against: now, and the price of a service message (`price.whatsapp.service`). */
export interface TrafficPrice {
  readonly now: Date;
  readonly currency: string;
  readonly service: number;
}

/** The price settings and the clock, as `webhook status`, `doctor` and `report` read reply traffic. */
export async function trafficPriceOf(ctx: Context): Promise<TrafficPrice> {
  const settings = await ctx.settings();
  return { now: ctx.deps.clock.now(), currency: settings.get('price.currency'), service: settings.get('price.whatsapp.service') };
}
