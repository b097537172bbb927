import { DEFAULT_ZONE } from '../ui/local-time.js';
import type { Context } from './context.js';

/** The zone people read times in: the `timezone` setting (default Europe/Rome). JSON stays in UTC. */
export async function displayZone(ctx: Context): Promise<string> {
  return String((await ctx.setting('timezone')) ?? DEFAULT_ZONE);
}
