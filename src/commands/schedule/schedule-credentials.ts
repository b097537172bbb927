import { readConfigFile } from '../../adapters/config-file.js';
import { credentialsOf, REAL_TRANSPORT } from '../../adapters/transports/choose.js';
import { CHANNEL_NAME } from '../../core/channels.js';
import { channelsOfSchedule, type Schedule } from '../../core/schedule/schedule.js';
import type { Campaign } from '../../core/campaign.js';
import type { Channel } from '../../core/subscriber.js';
import type { TransportName } from '../../core/transport.js';
import { resolveSettings, type Settings } from '../../core/settings.js';
import type { Context } from '../context.js';
import { transportFor } from '../../sending/prepare.js';

/** One transport something planned will need when `schedule run` goes on with it. */
interface Need {
  readonly who: string;
  readonly channel: Channel;
  readonly transport: TransportName | 'unconfigured';
  /** A schedule added before transports were frozen: it chooses when it fires, and `shell` is what this shell would choose. */
  readonly chosenLate?: { readonly shell: TransportName | 'unconfigured' };
}


function chosen(channel: Channel, settings: Settings, via: Schedule['send']['via']): TransportName | 'unconfigured' {
  try {
    return transportFor(channel, settings, via).name;
  } catch {
    return 'unconfigured';
  }
}

function needsOf(schedules: readonly Schedule[], campaigns: readonly Campaign[], cron: Settings, shell: Settings): Need[] {
  const needs: Need[] = [];
  for (const s of schedules) {
    if (s.transports !== undefined) {
      for (const [channel, transport] of Object.entries(s.transports) as Array<[Channel, TransportName]>) needs.push({ who: `schedule ${s.id}`, channel, transport });
    } else {
      for (const channel of channelsOfSchedule(s)) {
        needs.push({ who: `schedule ${s.id}`, channel, transport: chosen(channel, cron, s.send.via), chosenLate: { shell: chosen(channel, shell, s.send.via) } });
      }
    }
  }
  for (const c of campaigns) {
    for (const [channel, transport] of Object.entries(c.transports) as Array<[Channel, TransportName]>) needs.push({ who: `campaign ${c.id}`, channel, transport });
  }
  return needs;
}

/**
 * For `canale doctor`: whether `schedule run`, started by cron or the systemd timer, will find the credentials each
 * active schedule and waiting campaign needs. It looks where they will: `<home>/schedule.env` and config.json — not
 * this shell's exports, which it names when they hide the problem. Undefined when nothing is planned.
 */
export async function scheduleCredentials(ctx: Context): Promise<{ readonly ok: boolean | 'warn'; readonly detail: string } | undefined> {
  const ports = await ctx.ports();
  const schedules = (await ports.schedules.list()).filter((s) => s.status === 'active');
  const campaigns = (await ports.campaigns.list()).filter((c) => c.status === 'scheduled' || (c.status === 'sending' && c.schedule !== undefined));
  if (schedules.length === 0 && campaigns.length === 0) return undefined;
  const file = await ports.schedules.credentials();
  const path = ports.schedules.credentialsPath();
  const config = await readConfigFile(ctx.paths.config);
  const cron = resolveSettings(config.settings, file?.vars ?? {});
  const shell = await ctx.settings();
  const problems: string[] = (file?.problems ?? []).map((p) => `${path} ${p}`);
  const notes: string[] = [];
  const found = new Map<string, string>();
  for (const need of needsOf(schedules, campaigns, cron, shell)) {
    const name = CHANNEL_NAME[need.channel];
    if (need.transport === 'outbox') {
      if (need.chosenLate !== undefined && need.chosenLate.shell !== 'outbox') {
        problems.push(`${need.who} chooses its transport when it fires (added by an older canale): under cron its ${name} goes to the outbox, though this shell has the credentials — put them in ${path}, or cancel it and add it again`);
      } else notes.push(`${need.who}: ${name} goes to the outbox, as planned — nothing reaches citizens`);
      continue;
    }
    const keys = credentialsOf(need.channel);
    const missing = keys.filter((k) => !cron.has(k.key));
    for (const k of keys.filter((x) => cron.has(x.key))) found.set(k.env, file?.vars[k.env] !== undefined && file.vars[k.env] !== '' ? 'schedule.env' : 'config.json');
    if (missing.length === 0) continue;
    const inShell = missing.filter((k) => shell.has(k.key)).map((k) => k.env);
    const transport = need.transport === 'unconfigured' ? REAL_TRANSPORT[need.channel] : need.transport;
    problems.push(
      `${need.who} sends ${name} through ${transport}, but schedule run will not find ${missing.map((k) => `${k.env} (${k.key})`).join(' and ')}` +
        (inShell.length > 0 ? ` — this shell has ${inShell.join(' and ')}, but cron and the systemd timer do not see this shell's exports` : ''),
    );
  }
  if (file !== undefined && (file.mode & 0o077) !== 0) notes.push(`${path} can be read by others: chmod 600 ${path}`);
  const unique = (list: readonly string[]): string[] => [...new Set(list)];
  if (problems.length > 0) {
    return { ok: false, detail: `${unique(problems).join('; ')} — put NAME=value lines in ${path} (its form: canale schedule install --print) or keep them in the home with canale config set KEY VALUE` };
  }
  const sources = [...found].map(([env, where]) => `${env} from ${where}`);
  const summary = sources.length === 0 ? 'schedule run needs no credentials for what is planned' : `schedule run will find ${sources.join(', ')}`;
  return notes.length === 0 ? { ok: true, detail: summary } : { ok: 'warn', detail: `${summary}; ${unique(notes).join('; ')}` };
}
