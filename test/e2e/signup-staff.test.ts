import { describe, expect, it } from 'vitest';
import { HomeSignupStore } from '../../src/adapters/signup/home-signup-store.js';
import type { Email } from '../../src/core/email.js';
import type { E164 } from '../../src/core/phone.js';
import { addPending, type PendingSignup } from '../../src/core/signup/pending-signups.js';
import type { TopicId } from '../../src/core/topic.js';
import { useTempHome } from '../support/cli.js';

const t = useTempHome();
const today = new Date().toISOString();
const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();

const waiting = (id: string, more: Partial<PendingSignup>): PendingSignup => ({ id, at: today, expiresAt: inAWeek, topics: ['cantieri' as TopicId], channel: 'email', code: '4821', notice: '1', ...more });

/** Two web sign-ups waiting (kept as the sign-up page keeps them), one long expired. */
async function seed(): Promise<void> {
  expect((await t.cli('init')).code).toBe(0);
  const store = new HomeSignupStore(t.home);
  await store.update((b) => addPending(b, waiting('sig_anna', { name: 'Anna Rossi', email: 'anna@example.it' as Email, topics: ['cantieri', 'scuola'] as TopicId[] })));
  await store.update((b) => addPending(b, waiting('sig_bruno', { phone: '+393331112233' as E164, channel: 'whatsapp', topics: ['mobilita'] as TopicId[] })));
}

describe('staff see the sign-ups', () => {
  it('subscribers list --status pending lists the web sign-ups waiting, never their codes; count and --topic and --search apply; --where is refused', async () => {
    await seed();
    const listed = await t.cli('subscribers', 'list', '--status', 'pending', '--json');
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.id)).toEqual(['sig_anna', 'sig_bruno']);
    expect(rows[0]).toMatchObject({ name: 'Anna Rossi', email: 'anna@example.it', status: 'pending', topics: ['cantieri', 'scuola'], expiresAt: inAWeek });
    expect(listed.stdout).not.toContain('4821');
    expect((await t.cli('subscribers', 'count', '--status', 'pending')).stdout.trim()).toBe('2');
    expect((await t.cli('subscribers', 'count', '--status', 'pending', '--topic', 'mobilita')).stdout.trim()).toBe('1');
    expect(JSON.parse((await t.cli('subscribers', 'list', '--status', 'pending', '--search', 'rossi', '--json')).stdout)).toHaveLength(1);
    const table = await t.cli('subscribers', 'list', '--status', 'pending');
    expect(table.stdout.split('\n')[0]).toBe('ID\tNAME\tPHONE\tEMAIL\tCHANNEL\tTOPICS\tSTATUS\tREQUESTED\tEXPIRES');
    const where = await t.cli('subscribers', 'list', '--status', 'pending', '--where', 'municipio=I');
    expect(where.code).toBe(2);
    expect(where.stderr).toContain('--where cannot select pending sign-ups');
    // pending sign-ups are not subscribers
    expect((await t.cli('subscribers', 'count')).stdout.trim()).toBe('0');
    expect((await t.cli('subscribers', 'list', '--status', 'maybe')).stderr).toContain('active, unsubscribed or pending');
  });

  it('signup stats: requests per day and source, new subscribers by source, opt-outs per topic', async () => {
    await seed();
    expect((await t.cli('subscribers', 'add', '--phone', '333 123 4567', '--topics', 'cantieri,scuola')).code).toBe(0);
    expect((await t.cli('subscribers', 'add', '--email', 'carla@example.it', '--topics', 'cantieri')).code).toBe(0);
    expect((await t.cli('subscribers', 'unsubscribe', '333 123 4567', '--topic', 'scuola')).code).toBe(0);
    expect((await t.cli('subscribers', 'unsubscribe', 'carla@example.it')).code).toBe(0);
    const result = await t.cli('signup', 'stats', '--json');
    expect(result.code).toBe(0);
    const stats = JSON.parse(result.stdout) as { days: Array<Record<string, unknown>>; optOuts: Array<{ topic: string | null; count: number }>; pending: number };
    const day = today.slice(0, 10);
    // the web rows are on the day the sign-ups were kept; the staff's on the day they were added (the same, unless midnight UTC passed)
    expect(stats.days.filter((d) => d.source !== 'staff')).toEqual([
      { day, source: 'web:email', requested: 1, confirmed: 0, expired: 0, subscribed: 0 },
      { day, source: 'web:whatsapp', requested: 1, confirmed: 0, expired: 0, subscribed: 0 },
    ]);
    expect(stats.days.filter((d) => d.source === 'staff').reduce((n, d) => n + Number(d.subscribed), 0)).toBe(2);
    expect(stats.optOuts).toEqual([{ topic: null, count: 1 }, { topic: 'scuola', count: 1 }]);
    expect(stats.pending).toBe(2);
    const table = await t.cli('signup', 'stats');
    expect(table.stdout).toContain(`${day}\tweb:email\t1\t0\t0\t0`);
    expect(table.stdout).toContain('everything\t1');
    expect(table.stderr).toContain('days in UTC');
    expect((await t.cli('signup', 'stats', '--days', '0')).code).toBe(2);
  });

  it('doctor says whether the sign-up page is on, and what it lacks', async () => {
    expect((await t.cli('init')).code).toBe(0);
    expect((await t.cli('doctor')).stdout).toMatch(/sign-up page: off/);
    await t.cli('config', 'set', 'privacy.noticeUrl', 'https://www.comune.example.it/privacy');
    expect((await t.cli('doctor')).stdout).toMatch(/✗ sign-up page: privacy.noticeUrl is set but the page is off without publicUrl and unsubscribeSecret/);
    await t.cli('config', 'set', 'publicUrl', 'http://avvisi.comune.example.it');
    await t.cli('config', 'set', 'unsubscribeSecret', 'segreto');
    const doctor = await t.cli('doctor', '--json');
    const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; ok: boolean | string; detail: string }> }).checks.filter((c) => c.name === 'sign-up page');
    expect(checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ok: false, detail: expect.stringContaining('is not https') }),
        expect.objectContaining({ ok: 'warn', detail: expect.stringContaining('outbox') }),
        expect.objectContaining({ ok: 'warn', detail: expect.stringContaining('whatsapp.number') }),
      ]),
    );
  });
});
