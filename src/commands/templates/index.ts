import type { Command } from 'commander';
import type { Dispatcher } from 'undici';
import { GraphTemplateSource } from '../../adapters/transports/cloud-api/graph-templates.js';
import { CanaleError } from '../../core/errors.js';
import type { Template } from '../../core/template.js';
import { describeFailure } from '../../core/transport.js';
import { tableTime } from '../../ui/local-time.js';
import { printTable } from '../../ui/table.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { displayZone } from '../display-zone.js';
import { graphSettingsFor } from './whatsapp-settings.js';

/**
 * Replaces the stored templates with the account's current list; returns how many. `dispatcher` is the undici
 * seam for tests.
 */
export async function runTemplatesSync(ctx: Context, dispatcher?: Dispatcher): Promise<number> {
  const settings = await graphSettingsFor(ctx);
  const source = new GraphTemplateSource({ ...settings, ...(dispatcher === undefined ? {} : { dispatcher }) });
  const fetched = await source.fetchTemplates(new AbortController().signal);
  if (!fetched.ok) throw new CanaleError(fetched.failure.code, `templates sync failed: ${describeFailure(fetched.failure)}`);
  const syncedAt = ctx.now();
  const templates: Template[] = fetched.templates.map((t) => ({ ...t, syncedAt }));
  await (await ctx.subscribers()).transaction({}, (tx) => tx.setTemplates(templates));
  const approved = templates.filter((t) => t.status === 'APPROVED').length;
  ctx.ui.success(`synced ${templates.length} template(s) from the WhatsApp account, ${approved} approved — see: canale templates list`);
  return templates.length;
}

function parametersOf(t: Template): string {
  if (t.parameters.length === 0) return '—';
  return t.parameterFormat === 'named' ? t.parameters.join(', ') : `${t.parameters.length} positional`;
}

export async function runTemplatesList(options: { readonly json: boolean }, ctx: Context): Promise<void> {
  const templates = await (await ctx.subscribers()).templates();
  if (options.json) {
    ctx.ui.json(templates);
    return;
  }
  if (templates.length === 0) {
    ctx.ui.info('no templates synced yet — fetch them with: canale templates sync');
    return;
  }
  printTable(
    ctx.ui,
    ['NAME', 'LANGUAGE', 'CATEGORY', 'STATUS', 'PARAMETERS', 'BODY'],
    templates.map((t) => [t.name, t.language, t.category, t.status, parametersOf(t), t.texts.body]),
  );
  const syncedAt = templates[0]?.syncedAt;
  if (syncedAt !== undefined) ctx.ui.info(`synced ${tableTime(syncedAt, await displayZone(ctx))}`);
}

export function registerTemplates(program: Command, app: App): void {
  const templates = withExamples(program.command('templates').description('WhatsApp message templates known to the account'), [
    'canale templates sync',
    'canale templates list',
  ]);
  withExamples(templates.command('sync').description('fetch the templates from the WhatsApp Cloud API and store them'), [
    'canale templates sync',
    'CANALE_WHATSAPP_WABA_ID=123456789 canale templates sync',
  ]).action(app.action(async (_raw: unknown, ctx: Context) => void (await runTemplatesSync(ctx))));
  withExamples(templates.command('list').description('list the synced templates: name, language, category, status, parameters').option('--json', 'print JSON'), [
    'canale templates list',
    'canale templates list --json',
  ]).action(app.action(async (raw: { json?: boolean }, ctx: Context) => runTemplatesList({ json: raw.json === true }, ctx)));
}
