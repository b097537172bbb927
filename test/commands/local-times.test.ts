import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveCampaign } from '../../src/adapters/campaign/campaign-store.js';
import { campaignDir } from '../../src/adapters/campaign/campaign-files.js';
import { runCampaignShow, runCampaignsList } from '../../src/commands/campaigns/index.js';
import { runConfigSet } from '../../src/commands/config/index.js';
import { parseReport, runReport } from '../../src/commands/report/index.js';
import { parseSubscriberAdd, runSubscriberAdd } from '../../src/commands/subscribers/add.js';
import { parseSubscriberQuery, runSubscriberList } from '../../src/commands/subscribers/list.js';
import { runSubscriberShow } from '../../src/commands/subscribers/show.js';
import { runTemplatesList } from '../../src/commands/templates/index.js';
import type { Campaign, CampaignId } from '../../src/core/campaign.js';
import { FakeClock } from '../support/fake-deps.js';
import { contextFor, newHome, storeOf } from '../support/home.js';

// 22:20 UTC on 1 December is 23:20 in Rome (CET, +1)
const AT = new Date('2026-12-01T22:20:00.000Z');
let home: string;
const at = (options: Parameters<typeof contextFor>[1] = {}) => contextFor(home, { clock: new FakeClock(AT), ...options });

beforeEach(async () => {
  home = await newHome();
  const { ctx } = at();
  await runSubscriberAdd(parseSubscriberAdd({ phone: '333 123 4567', name: 'Maria Rossi', topics: 'cantieri' }), ctx);
  // a sheet's date 03/02/2026 is stored as local midnight
  await runSubscriberAdd(parseSubscriberAdd({ email: 'luca@example.it', name: 'Luca Verdi', topics: 'cantieri', consentAt: '2026-02-03T00:00:00+01:00' }), ctx);
});
afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

describe('times people read are local (timezone, default Europe/Rome); JSON stays UTC', () => {
  it('subscribers list: the consent date as the last column, in a pipe and on a terminal', async () => {
    const pipe = at();
    await runSubscriberList(parseSubscriberQuery({}), pipe.ctx);
    expect(pipe.stdout.text.split('\n')).toEqual([
      'ID\tNAME\tPHONE\tEMAIL\tCHANNEL\tTOPICS\tSTATUS\tCONSENT',
      'sub_0001\tMaria Rossi\t+393331234567\t\twhatsapp\tcantieri\tactive\t2026-12-01 23:20',
      'sub_0002\tLuca Verdi\t\tluca@example.it\temail\tcantieri\tactive\t2026-02-03',
      '',
    ]);
    const tty = at({ tty: true, env: { NO_COLOR: '1' } });
    await runSubscriberList(parseSubscriberQuery({}), tty.ctx);
    expect(tty.stdout.text).toMatch(/Maria Rossi .* 2026-12-01 23:20\n/);
    expect(tty.stdout.text).toMatch(/Luca Verdi .* 2026-02-03\n/);

    const json = at();
    await runSubscriberList(parseSubscriberQuery({ json: true }), json.ctx);
    const [maria, luca] = JSON.parse(json.stdout.text);
    expect(maria).toMatchObject({ consent: { at: '2026-12-01T22:20:00.000Z' }, createdAt: '2026-12-01T22:20:00.000Z' });
    expect(luca.consent.at).toBe('2026-02-02T23:00:00.000Z');
  });

  it('follows the timezone setting', async () => {
    await runConfigSet('timezone', 'America/New_York', at().ctx);
    const { ctx, stdout } = at();
    await runSubscriberList(parseSubscriberQuery({ search: 'maria' }), ctx);
    expect(stdout.text).toContain('\t2026-12-01 17:20\n');
  });

  it('subscribers show: consent, created, updated', async () => {
    const shown = at();
    await runSubscriberShow('luca@example.it', { json: false }, shown.ctx);
    expect(shown.stdout.text).toContain('consent:     cli at 2026-02-03\n');
    expect(shown.stdout.text).toContain('created:     2026-12-01 23:20\n');
    const json = at();
    await runSubscriberShow('luca@example.it', { json: true }, json.ctx);
    expect(JSON.parse(json.stdout.text)).toMatchObject({ consent: { at: '2026-02-02T23:00:00.000Z' }, createdAt: '2026-12-01T22:20:00.000Z' });
  });

  it('campaigns list, campaigns show and report', async () => {
    const campaign: Campaign = {
      id: 'cmp_local' as CampaignId,
      status: 'completed',
      message: { source: 'lavori.md', topics: ['cantieri'], body: 'Ciao' },
      query: { topics: ['cantieri'], where: [], channel: 'preferred' },
      channels: ['whatsapp'],
      transports: { whatsapp: 'outbox' },
      recipients: 0,
      plannedSkips: [],
      createdAt: '2026-12-01T22:19:00.000Z',
      startedAt: '2026-10-25T00:30:00.000Z',
      finishedAt: '2026-10-25T01:30:00.000Z',
    };
    await mkdir(campaignDir(home, campaign.id), { recursive: true });
    await saveCampaign(home, campaign);
    const list = at();
    await runCampaignsList({ json: false }, list.ctx);
    expect(list.stdout.text).toContain('cmp_local\tcompleted\t2026-12-01 23:19\tcantieri\t');
    const json = at();
    await runCampaignsList({ json: true }, json.ctx);
    expect(JSON.parse(json.stdout.text)[0].createdAt).toBe('2026-12-01T22:19:00.000Z');

    const show = at();
    await runCampaignShow('cmp_local', { json: false }, show.ctx);
    // the night the clocks go back: 02:30 CEST, then 02:30 CET an hour later
    expect(show.stdout.text).toContain('created: 2026-12-01 23:19, started 2026-10-25 02:30, finished 2026-10-25 02:30 (Europe/Rome)\n');

    const report = at();
    await runReport(parseReport('cmp_local', {}), report.ctx);
    expect(report.stdout.text).toContain('started 2026-10-25 02:30, finished 2026-10-25 02:30 (Europe/Rome)\n');
    const reportJson = at();
    await runReport(parseReport('cmp_local', { json: true }), reportJson.ctx);
    expect(JSON.parse(reportJson.stdout.text)).toMatchObject({ startedAt: '2026-10-25T00:30:00.000Z', finishedAt: '2026-10-25T01:30:00.000Z' });

    // --out with the table format writes the table (as in a pipe), not JSON; outside the home, where canale writes nothing named
    const toFile = at();
    await runReport(parseReport('cmp_local', { out: join(dirname(home), 'esito.txt') }), toFile.ctx);
    const written = await readFile(join(dirname(home), 'esito.txt'), 'utf8');
    expect(written).toMatch(/^Campaign cmp_local: /);
    expect(written).toContain('CHANNEL\tTARGETED\tSENT');
    expect(written).toContain('started 2026-10-25 02:30, finished 2026-10-25 02:30 (Europe/Rome)\n');
    expect(toFile.stdout.text).toBe('');
  });

  it('templates list says when they were synced, in local time', async () => {
    await storeOf(at().ctx).update((data) => {
      data.templates = [
        { id: '1', name: 'avviso', language: 'it', category: 'UTILITY', status: 'APPROVED', parameterFormat: 'positional', parameters: [], texts: { body: 'Ciao', buttons: [] }, syncedAt: '2026-07-15T06:05:00.000Z' },
      ];
    });
    const list = at();
    await runTemplatesList({ json: false }, list.ctx);
    expect(list.stderr.text).toContain('synced 2026-07-15 08:05');
    const json = at();
    await runTemplatesList({ json: true }, json.ctx);
    expect(JSON.parse(json.stdout.text)[0].syncedAt).toBe('2026-07-15T06:05:00.000Z');
  });
});
