import type { Command } from 'commander';
import { withExamples, type App } from '../app.js';
import { registerSignupLink } from './link.js';
import { registerSignupQr } from './qr.js';
import { registerSignupStats } from './stats.js';

/** Each verb of the group, in the order help lists them; a new one (its own file) adds itself here. */
const VERBS: ReadonlyArray<(signup: Command, app: App) => void> = [registerSignupLink, registerSignupQr, registerSignupStats];

/** `canale signup …`: how citizens join the channel by themselves, from a poster or a link. */
export function registerSignup(program: Command, app: App): void {
  const signup = withExamples(
    program.command('signup').description("how citizens join by themselves: the WhatsApp link (link), a poster with its QR code (qr), and how many did (stats)"),
    ['canale signup link --topic cantieri', 'canale signup qr --topic cantieri --out cantieri.png', 'canale signup stats --days 7'],
  );
  for (const register of VERBS) register(signup, app);
}
