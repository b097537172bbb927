import { systemRandom, systemSleeper } from '../adapters/clock.js';
import type { Sending, TransportFactory } from '../sending/sending.js';
import { sendProgress } from '../ui/progress.js';
import type { Context } from './context.js';

/**
 * The send pipeline's view of a command: its ports, the transports of Deps, the clock and sleeper, the settings
 * resolved once, and the command's stderr for what the pipeline says (progress bars on a terminal).
 */
export async function sendingOf(ctx: Context): Promise<Sending> {
  const { deps, ui } = ctx;
  const ports = await ctx.ports();
  let transports: Promise<TransportFactory> | undefined;
  return {
    ports,
    transports: () => (transports ??= Promise.resolve(deps.transports(ctx.paths.home, { clock: deps.clock }))),
    clock: deps.clock,
    sleeper: deps.sleeper ?? systemSleeper,
    random: systemRandom,
    settings: await ctx.settings(),
    reporter: { info: (line) => ui.info(line), warn: (line) => ui.warn(line), progress: (totals, rates) => sendProgress(ui, deps.clock, totals, rates) },
    home: ctx.paths.home,
    ...(deps.untilInterrupted === undefined ? {} : { untilInterrupted: deps.untilInterrupted }),
  };
}
