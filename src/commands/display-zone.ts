import type { Context } from './context.js';

/** The zone people read times in: the `timezone` setting (default Europe/Rome). JSON stays in UTC. */
export async function displayZone(ctx: Context): Promise<string> {
  return (await ctx.settings()).get('timezone');
}
