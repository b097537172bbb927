import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePersistence } from '../../src/adapters/home-persistence.js';
import { memoryPersistence } from '../../src/adapters/memory/memory-persistence.js';
import type { TransportChoice } from '../../src/adapters/transports/choose.js';
import { parseCampaignSend, parseResume } from '../../src/commands/campaign-options.js';
import { Context } from '../../src/commands/context.js';
import { runResume, runSendCampaign } from '../../src/commands/send/campaign.js';
import { EXIT } from '../../src/core/errors.js';
import { ensureHome, homePaths } from '../../src/adapters/home.js';
import type { CampaignId } from '../../src/core/campaign.js';
import { resolveSettings } from '../../src/core/settings.js';
import type { Sleeper } from '../../src/core/dispatch/rate-window.js';
import type { Persistence } from '../../src/core/ports.js';
import type { Email } from '../../src/core/email.js';
import type { Subscriber } from '../../src/core/subscriber.js';
import type { SendResult } from '../../src/core/transport.js';
import { freezeAndSend } from '../../src/sending/freeze.js';
import { prepareSend, type SendRequest } from '../../src/sending/prepare.js';
import { resumeCampaign } from '../../src/sending/resume.js';
import { sendLockRequest, type Sending } from '../../src/sending/sending.js';
import { aSubscriber } from '../support/builders.js';
import { FakeClock, fakeDeps } from '../support/fake-deps.js';
import { FakeTransport } from '../support/fake-transport.js';

const PEOPLE = 12;
/** The call on which the first run's transport throws, as a process that dies mid-send stops answering. */
const CRASH_AT = 6;

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-pipeline-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Time that moves only when the send waits: every sleep jumps the clock at once. */
function instantTime(): { readonly clock: FakeClock; readonly sleeper: Sleeper } {
  const clock = new FakeClock();
  return { clock, sleeper: { sleep: async (ms, signal) => (signal?.aborted === true ? undefined : clock.advance(ms)) } };
}

/** The JSON files of a home in the temporary folder. */
async function homePorts(clock: FakeClock): Promise<Persistence> {
  const paths = homePaths(join(dir, 'home'));
  await ensureHome(paths);
  return homePersistence(paths, { clock });
}

/** Every implementation of the ports: the pipeline promises the same of each. */
const IMPLEMENTATIONS: ReadonlyArray<readonly [string, (clock: FakeClock) => Promise<Persistence>]> = [
  ['in memory', async (clock) => memoryPersistence({ clock })],
  ['in the JSON home', homePorts],
];

/** A dozen citizens who follow `cantieri` and prefer e-mail. */
async function seedPeople(ports: Persistence): Promise<Subscriber[]> {
  const people = Array.from({ length: PEOPLE }, (_v, i) => aSubscriber({ channel: 'email', email: `persona${i}@example.it` as Email }));
  await ports.subscribers.transaction({}, (tx) => people.forEach((s) => tx.insert(s)));
  return people;
}

/** A send of the pipeline on `ports`, whose transport answers as `answer` says; what it says is kept. */
function sendingOn(ports: Persistence, time: ReturnType<typeof instantTime>, answer: (key: string, call: number) => SendResult) {
  const said: string[] = [];
  const sending: Sending = {
    ports,
    transports: async () => ({ build: (choice) => new FakeTransport(choice.channel, time.clock, time.sleeper, (envelope, call) => answer(envelope.recipientKey, call), 20) }),
    clock: time.clock,
    sleeper: time.sleeper,
    random: () => 0.5,
    // no SMTP credentials: e-mail goes through the outbox, which has no quiet hours
    settings: resolveSettings({ 'email.rate': 10 }, {}),
    reporter: { info: (line) => said.push(line), warn: (line) => said.push(`warn: ${line}`), progress: () => ({ update: () => undefined, rate: () => undefined, stop: () => undefined }) },
    home: dir,
  };
  return { sending, said };
}

const request: SendRequest = {
  spec: { source: 'avviso.md', topics: ['cantieri'], channels: ['email'], subject: 'Lavori', body: 'Ciao {{nome | "cittadino"}}, via Roma chiude lunedì.' },
  topics: [],
  where: [],
  channel: 'preferred',
  urgent: false,
  split: false,
  allowFreeText: false,
};

describe.each(IMPLEMENTATIONS)('the send pipeline on ports %s: a whole send, a crash and a resume', (_name, portsOf) => {
  it('reaches every recipient exactly once across a crash mid-send and two resumes, and the reports count it', async () => {
    const time = instantTime();
    const ports = await portsOf(time.clock);
    const people = await seedPeople(ports);
    const reached: string[] = [];
    let crashing = true;
    const answer = (key: string, call: number): SendResult => {
      if (crashing && call === CRASH_AT) throw new Error('the transport crashed');
      reached.push(key);
      return { ok: true, providerMessageId: `id.${key}` };
    };
    const first = sendingOn(ports, time, answer);
    const prepared = await prepareSend(request, first.sending);
    expect(prepared.plan.recipients.email).toBe(PEOPLE);
    const id = 'cmp_pipeline' as CampaignId;
    const started = time.clock.now().getTime();
    // one request at a time: the crash leaves the recipient it hit and those prepared behind it in flight
    await expect(ports.locks.withSendLock(sendLockRequest(first.sending, id), () => freezeAndSend(prepared, id, { concurrency: 1 }, first.sending))).rejects.toThrow('the transport crashed');
    expect(reached).toHaveLength(CRASH_AT - 1);
    const crashed = await ports.campaigns.load(id);
    expect(crashed.status).toBe('sending');
    // the one the crash hit and the two prepared ahead of it have an in-flight record and no answer: unknown
    expect((await ports.campaigns.state(crashed)).report.counts).toMatchObject({ targeted: PEOPLE, sent: CRASH_AT - 1, unknown: 3, failed: 0 });

    crashing = false;
    const second = sendingOn(ports, time, answer);
    const resumed = await resumeCampaign(id, { retryFailed: false, resendUnknown: false }, second.sending);
    expect(second.said).toContain(`campaign ${id}: ${PEOPLE - (CRASH_AT - 1) - 3} recipient(s) still to reach, at e-mail 10/s, 1 request(s) at a time`);
    expect(resumed.campaign.status).toBe('completed');
    expect(resumed.report.counts).toMatchObject({ targeted: PEOPLE, sent: PEOPLE - 3, unknown: 3, failed: 0 });

    // those of unknown outcome are sent only when asked: an e-mail in flight at a crash may have left
    const third = sendingOn(ports, time, answer);
    const again = await resumeCampaign(id, { retryFailed: false, resendUnknown: true }, third.sending);
    expect(again.report.counts).toMatchObject({ targeted: PEOPLE, sent: PEOPLE, unknown: 0, failed: 0, skipped: 0 });
    expect([...reached].sort()).toEqual(people.map((s) => s.id).sort());
    expect(new Set(reached).size).toBe(PEOPLE);
    // at 10 a second, a dozen e-mails take about a second of fake time (and milliseconds of real time)
    expect(time.clock.now().getTime() - started).toBeLessThan(5_000);
  });

  it('stops cleanly when asked mid-send (Ctrl-C): interrupted, nobody in flight left unknown, and a resume completes it', async () => {
    const time = instantTime();
    const ports = await portsOf(time.clock);
    const people = await seedPeople(ports);
    const reached: string[] = [];
    let interrupt: () => void = () => undefined;
    const interrupted = new Promise<void>((resolve) => {
      interrupt = resolve;
    });
    const answer = (key: string): SendResult => {
      reached.push(key);
      if (reached.length === 4) interrupt();
      return { ok: true, providerMessageId: `id.${key}` };
    };
    const first = sendingOn(ports, time, answer);
    const id = 'cmp_stopped' as CampaignId;
    const prepared = await prepareSend(request, first.sending);
    const stopped = await ports.locks.withSendLock(sendLockRequest(first.sending, id), () => freezeAndSend(prepared, id, { concurrency: 3 }, { ...first.sending, untilInterrupted: () => interrupted }));
    expect(stopped.outcome.status).toBe('interrupted');
    expect(stopped.campaign).toMatchObject({ status: 'interrupted', stopCode: 'SIGNAL' });
    expect(first.said).toContain('warn: stopping: no new messages; waiting for those in flight…');
    // the requests already out were answered and kept; those prepared behind them were released, not left unknown
    expect(stopped.report.counts).toMatchObject({ targeted: PEOPLE, sent: reached.length, unknown: 0 });
    const resumed = await resumeCampaign(id, { retryFailed: false, resendUnknown: false }, sendingOn(ports, time, answer).sending);
    expect(resumed.report.counts).toMatchObject({ targeted: PEOPLE, sent: PEOPLE, unknown: 0, failed: 0 });
    expect([...reached].sort()).toEqual(people.map((s) => s.id).sort());
  });
});

describe('canale send and send --resume on the pipeline, with in-memory ports', () => {
  it('take the ports, the transports and the sleeper from Deps: a crashed send, then resumes that print the report and say how it ended', async () => {
    const time = instantTime();
    const home = join(dir, 'home');
    const fake = fakeDeps({ home, clock: time.clock });
    const reached: string[] = [];
    let crashing = true;
    const transports = () => ({
      build: (choice: TransportChoice) =>
        new FakeTransport(choice.channel, time.clock, time.sleeper, (envelope, call) => {
          if (crashing && call === CRASH_AT) throw new Error('the transport crashed');
          reached.push(envelope.recipientKey);
          return { ok: true, providerMessageId: `id.${envelope.recipientKey}` };
        }),
    });
    // one Context for the three commands: the memory ports outlive the crash as the home's files would
    const ctx = new Context({ ...fake.deps, persistence: () => memoryPersistence({ clock: time.clock }), subscriberStore: undefined, transports, sleeper: time.sleeper }, { home, yes: true });
    const people = await seedPeople(await ctx.ports());
    const options = parseCampaignSend({ topic: ['cantieri'], text: 'Via Roma chiude lunedì.', subject: 'Lavori', concurrency: '1', json: true });
    await expect(runSendCampaign(options, ctx)).rejects.toThrow('the transport crashed');
    expect(reached).toHaveLength(CRASH_AT - 1);
    crashing = false;
    const reports = (): Array<{ campaign?: string; counts?: Record<string, number> }> => fake.stdout.text.trim().split('\n').map((line) => JSON.parse(line) as { campaign?: string });
    const [plan] = reports();
    expect(plan).toMatchObject({ plan: { recipients: { email: PEOPLE }, transports: { email: 'outbox' } } });
    const id = (await (await ctx.ports()).campaigns.list())[0]?.id ?? '';
    // three were in flight when it crashed: unknown, so the resume is partial (exit 3) until they are settled
    expect(await runResume(parseResume({ resume: id, json: true }), ctx)).toBe(EXIT.partial);
    expect(reports().at(-1)).toMatchObject({ campaign: id, counts: { sent: PEOPLE - 3, unknown: 3 } });
    expect(await runResume(parseResume({ resume: id, resendUnknown: true, json: true }), ctx)).toBe(EXIT.ok);
    expect(reports().at(-1)).toMatchObject({ campaign: id, status: 'completed', counts: { targeted: PEOPLE, sent: PEOPLE, unknown: 0 } });
    expect([...reached].sort()).toEqual(people.map((s) => s.id).sort());
  });
});

