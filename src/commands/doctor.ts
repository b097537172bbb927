import type { Command } from 'commander';
import { chooseTransport } from '../adapters/transports/choose.js';
import { buildTransport } from '../adapters/transports/select.js';
import { CHANNEL_NAME } from '../core/channels.js';
import { CONFIG_KEYS } from '../core/config-keys.js';
import { formatQuietHours } from '../core/schedule/quiet-hours.js';
import { formatLocal } from '../core/schedule/zoned-time.js';
import type { Persistence } from '../core/ports.js';
import type { StoreData } from '../core/store-data.js';
import type { Channel } from '../core/subscriber.js';
import { withExamples, type App } from './app.js';
import type { Context } from './context.js';
import { readPlanSettings, type PlanSettings } from '../sending/plan-settings.js';
import { accountTroubleCheck, campaignsCheck } from './campaigns/campaigns-check.js';
import { scheduleHealth } from './schedule/overdue.js';
import { scheduleCredentials } from './schedule/schedule-credentials.js';
import { describeBacklog, readWebhookBacklog } from './webhook/webhook-status.js';
import { trafficPriceOf } from './traffic-price.js';
import { delivering, quietNow } from '../sending/send-window.js';
import { dkimCheck } from './dkim-check.js';
import { signupPageChecks } from './signup/signup-check.js';

/** One line of the checklist: `ok` true, false, or 'warn' (works, but worth knowing). */
export interface Check {
  readonly name: string;
  readonly ok: boolean | 'warn';
  readonly detail: string;
}

const STALE_MS = 7 * 24 * 3600_000;

function describeAge(ms: number): string {
  const hours = Math.floor(ms / 3600_000);
  if (hours < 1) return 'less than an hour ago';
  if (hours < 48) return `${hours} hour(s) ago`;
  return `${Math.floor(hours / 24)} day(s) ago`;
}

async function configCheck(ctx: Context): Promise<Check> {
  const problems = (await ctx.settings())
    .list()
    .filter((s) => s.source === 'env' || s.source === 'config')
    .flatMap((s) => {
      const key = CONFIG_KEYS.find((k) => k.key === s.key);
      const checked = key?.check(String(s.value).trim());
      return typeof checked === 'object' ? [`${s.key} is not ${checked.expected}`] : [];
    });
  if (problems.length === 0) return { name: 'configuration', ok: true, detail: 'every setting is valid' };
  return { name: 'configuration', ok: false, detail: `${problems.join('; ')} — fix with: canale config set KEY VALUE` };
}

async function channelCheck(channel: Channel, ctx: Context): Promise<{ check: Check; transport?: string }> {
  const settings = await ctx.settings();
  const name = CHANNEL_NAME[channel];
  try {
    const choice = chooseTransport(channel, settings);
    const transport = buildTransport(choice, settings, { home: ctx.paths.home, clock: ctx.deps.clock });
    try {
      const verified = (await transport.verify?.(AbortSignal.timeout(20_000))) ?? { ok: true, detail: 'nothing to check' };
      if (choice.warning !== undefined) return { check: { name, ok: 'warn', detail: `${choice.warning}; ${verified.detail}` }, transport: choice.name };
      return { check: { name, ok: verified.ok, detail: `${choice.name}: ${verified.detail}` }, transport: choice.name };
    } finally {
      await transport.close?.();
    }
  } catch (error) {
    return { check: { name, ok: false, detail: error instanceof Error ? error.message : String(error) } };
  }
}

function templatesCheck(data: Pick<StoreData, 'templates'>, now: Date): Check {
  const templates = data.templates;
  if (templates.length === 0) return { name: 'templates', ok: false, detail: 'no WhatsApp templates synced — fetch them with: canale templates sync' };
  const syncedAt = templates.map((t) => t.syncedAt).sort().at(-1) ?? '';
  const age = now.getTime() - new Date(syncedAt).getTime();
  const approved = templates.filter((t) => t.status === 'APPROVED').length;
  const detail = `${templates.length} synced ${describeAge(age)}, ${approved} approved`;
  return age > STALE_MS ? { name: 'templates', ok: 'warn', detail: `${detail} — refresh with: canale templates sync` } : { name: 'templates', ok: true, detail };
}

/**
 * Worth knowing before a send: quiet hours in force now on a channel whose transport reaches citizens (with when
 * they end, local time), and the default city name, which e-mails would be signed with.
 */
async function settingsChecks(ctx: Context, transports: Partial<Record<Channel, string>>): Promise<Check[]> {
  let settings: PlanSettings;
  try {
    settings = await readPlanSettings(ctx);
  } catch {
    return []; // a setting that cannot be read is the configuration check's to name
  }
  const checks: Check[] = [];
  const reaching = delivering(['whatsapp', 'email'], transports);
  for (const { channel, endsAt } of quietNow(settings, reaching, ctx.deps.clock.now())) {
    const hours = settings.quietHours[channel];
    const window = `${CHANNEL_NAME[channel]} quiet hours${hours === undefined ? '' : ` (${formatQuietHours(hours)}, ${settings.timezone})`}`;
    checks.push({ name: 'quiet hours', ok: 'warn', detail: `${window} in force now, until ${formatLocal(endsAt, settings.timezone)}: a send started now is refused unless urgent, schedules wait until then` });
  }
  if (!settings.cityNameSet) {
    checks.push({ name: 'city name', ok: 'warn', detail: `city.name is not set: e-mails are signed "${settings.cityName}" — set it with: canale config set city.name "Comune di …"` });
  }
  return checks;
}

/** What the stores hold that needs a person: damaged campaigns, account trouble, the webhook server's backlog. */
async function storedChecks(ports: Persistence, ctx: Context): Promise<Check[]> {
  const checks: Check[] = [];
  const campaigns = await campaignsCheck(ports.campaigns, ctx.paths.home);
  if (campaigns !== undefined) checks.push(campaigns);
  const trouble = await accountTroubleCheck(ports.campaigns, ctx.deps.clock.now());
  if (trouble !== undefined) checks.push(trouble);
  // the webhook server's backlog, once it has received anything: informative, a backlog is not a fault by itself
  if ((await ports.events.size()) > 0) checks.push({ name: 'webhook events', ok: true, detail: describeBacklog(await readWebhookBacklog(ports.events, await trafficPriceOf(ctx))) });
  return checks;
}

/** The whole checklist, in order; nothing here throws for a problem it can name. */
export async function runChecks(ctx: Context): Promise<Check[]> {
  const checks: Check[] = [await configCheck(ctx)];
  let data: Pick<StoreData, 'templates'> | undefined;
  let ports: Persistence | undefined;
  try {
    // a database that cannot be reached, or has no schema yet, is the store check's finding, not doctor's failure
    ports = await ctx.ports();
    const count = await ports.subscribers.count();
    const topics = await ports.subscribers.topics();
    data = { templates: await ports.subscribers.templates() };
    checks.push({ name: 'store', ok: true, detail: `${await ctx.storeLabel()} readable: ${count} subscriber(s), ${topics.length} topic(s)` });
  } catch (error) {
    checks.push({ name: 'store', ok: false, detail: error instanceof Error ? error.message : String(error) });
  }
  const whatsapp = await channelCheck('whatsapp', ctx);
  const email = await channelCheck('email', ctx);
  checks.push(whatsapp.check, email.check);
  const dkim = await dkimCheck(ctx);
  if (dkim !== undefined) checks.push(dkim);
  if (whatsapp.transport === 'cloud-api' && data !== undefined) checks.push(templatesCheck(data, ctx.deps.clock.now()));
  checks.push(...(await settingsChecks(ctx, { whatsapp: whatsapp.transport, email: email.transport })));
  if (ports !== undefined) checks.push(...(await storedChecks(ports, ctx)));
  try {
    const pending = ports === undefined ? 0 : (await ports.signups.read()).pending.filter((p) => p.expiresAt > ctx.now()).length;
    checks.push(...signupPageChecks(await ctx.settings(), email.transport, data?.templates ?? [], pending));
  } catch {
    // a setting that cannot be read is the configuration check's to name
  }
  try {
    const schedules = await scheduleHealth(ctx);
    if (schedules !== undefined) checks.push({ name: 'schedules', ...schedules });
    const credentials = await scheduleCredentials(ctx);
    if (credentials !== undefined) checks.push({ name: 'schedule credentials', ...credentials });
  } catch (error) {
    checks.push({ name: 'schedules', ok: false, detail: error instanceof Error ? error.message : String(error) });
  }
  return checks;
}

export async function runDoctor(options: { readonly json: boolean }, ctx: Context): Promise<number> {
  const checks = await runChecks(ctx);
  const failed = checks.filter((c) => c.ok === false);
  if (options.json) ctx.ui.json({ ok: failed.length === 0, checks });
  else {
    const mark = (c: Check): string => (c.ok === true ? ctx.ui.color.green('✓') : c.ok === 'warn' ? ctx.ui.color.yellow('!') : ctx.ui.color.red('✗'));
    for (const c of checks) ctx.ui.out(`${mark(c)} ${c.name}: ${c.detail}`);
  }
  if (failed.length > 0) ctx.ui.warn(`${failed.length} problem(s): ${failed.map((c) => c.name).join(', ')} — see above for how to fix`);
  return failed.length === 0 ? 0 : 1;
}

export function registerDoctor(program: Command, app: App): void {
  withExamples(
    program.command('doctor').description('check configuration, store, credentials, connectivity and templates').option('--json', 'print JSON'),
    ['canale doctor', 'canale doctor --json'],
  ).action(app.action(async (raw: { json?: boolean }, ctx: Context) => runDoctor({ json: raw.json === true }, ctx)));
}
