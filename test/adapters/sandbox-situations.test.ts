import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphStandIn, type GraphStandInOptions, type ReceivedMessage } from '../../src/adapters/sandbox/graph-stand-in.js';
import { readWebhook } from '../../src/adapters/transports/cloud-api/webhook-payload.js';
import { FakeClock } from '../support/fake-deps.js';

// Each situation of issue 16 §5 played by a real stand-in on a free port, its answers and webhooks held against
// the shapes Meta documents (reference §2, §4; test/fixtures/webhooks) and read back with canale's own parser.
const ACCOUNT = { token: 'sandbox-token', phoneNumberId: '111', wabaId: '222', appSecret: 'shh-app-secret' };
const AT = new FakeClock().now();
const TIMESTAMP = String(AT.getTime() / 1000);
const METADATA = { display_phone_number: '390000000000', phone_number_id: '111' };
const HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';
const MARIA = '393331234567';
const LUCA = '393471234567';
const USER_ID = 'US.13491208655302741918';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

type Json = Record<string, unknown>;
interface Hook {
  readonly body: { object: string; entry: Array<{ id: string; changes: Array<{ field: string; value: Json }> }> };
  readonly signed: boolean;
}

/** A webhook receiver that checks each POST's X-Hub-Signature-256 over the raw bytes; `next(n)` waits for n more. */
async function webhookReceiver(onHook: (hook: Hook) => void = () => undefined) {
  const hooks: Hook[] = [];
  let waiting: { count: number; resolve: (h: Hook[]) => void } | undefined;
  let taken = 0;
  const settle = () => {
    if (waiting !== undefined && hooks.length - taken >= waiting.count) {
      const batch = hooks.slice(taken, taken + waiting.count);
      taken += waiting.count;
      const { resolve } = waiting;
      waiting = undefined;
      resolve(batch);
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signed = req.headers['x-hub-signature-256'] === `sha256=${createHmac('sha256', ACCOUNT.appSecret).update(raw).digest('hex')}`;
      const hook = { body: JSON.parse(raw.toString('utf8')) as Hook['body'], signed };
      hooks.push(hook);
      onHook(hook);
      res.end('ok');
      settle();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const next = (count = 1) =>
    new Promise<Hook[]>((resolve) => {
      waiting = { count, resolve };
      settle();
    });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp`, next };
}

/** The one change of a signed webhook, with its field. */
function changeOf(hook: Hook | undefined): { field: string; value: Json } {
  expect(hook?.signed).toBe(true);
  expect(hook?.body).toMatchObject({ object: 'whatsapp_business_account', entry: [{ id: '222' }] });
  const change = hook?.body.entry[0]?.changes[0];
  if (change === undefined) throw new Error('no change in the webhook');
  return change;
}

async function sandbox(options: Partial<GraphStandInOptions> = {}) {
  const graph = new GraphStandIn({ port: 0, ...ACCOUNT, clock: new FakeClock(), ...options });
  const url = await graph.listen();
  cleanups.push(() => graph.close());
  const control = async (method: string, name: string, body?: unknown) => {
    const response = await fetch(`${url}/sandbox/${name}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const arm = async (name: string, body: unknown) => {
    const answer = await control('POST', name, body);
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const send = async (to: string, extra: Json = {}) => {
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      type: 'template',
      template: { name: 'avviso_cantieri', language: { code: 'it' }, components: [{ type: 'body', parameters: ['Maria', '2 dicembre', 'via Roma'].map((text) => ({ type: 'text', text })) }] },
      ...extra,
    };
    const response = await fetch(`${url}/v23.0/111/messages`, { method: 'POST', headers: { authorization: 'Bearer sandbox-token', 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Json };
  };
  return { graph, url, control, arm, send };
}

/** A change as Meta posts it: `value` starts with `messaging_product` and the business number's `metadata`. */
const metaChange = (value: Json, field = 'messages') => ({ field, value: { messaging_product: 'whatsapp', metadata: METADATA, ...value } });

/** A sandbox posting its webhooks to a receiver, and `made`: a control POST with the webhook it made up. */
async function sandboxWithHooks(options: Partial<GraphStandInOptions> = {}, onHook?: (hook: Hook) => void) {
  const receiver = await webhookReceiver(onHook);
  const box = await sandbox({ webhookUrl: receiver.url, ...options });
  const made = async (name: string, body: unknown) => {
    const answer = await box.control('POST', name, body);
    const [hook] = await receiver.next();
    return { answer, hook, change: changeOf(hook) };
  };
  return { ...box, receiver, made };
}

const accepted = (answer: { status: number; body: Json }) => {
  expect(answer.status).toBe(200);
  return (answer.body as { messages: Array<{ id: string }> }).messages[0]?.id ?? '';
};

describe('POST /sandbox/pair-limit', () => {
  it('answers 131056 to the next `times` messages to that number, as Meta words it, and only to it', async () => {
    const { arm, send, graph } = await sandbox();
    expect(await arm('pair-limit', { to: '333 123 4567', times: 2 })).toEqual({ armed: { kind: 'pair-limit', to: MARIA, times: 2 } });
    const refused = await send(`+${MARIA}`);
    expect(refused).toEqual({
      status: 400,
      body: {
        error: {
          message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
          type: 'OAuthException',
          code: 131056,
          error_data: { messaging_product: 'whatsapp', details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.' },
          fbtrace_id: expect.stringMatching(/^[\w-]{8,}$/),
        },
      },
    });
    accepted(await send(LUCA));
    expect((await send(MARIA)).status).toBe(400);
    accepted(await send(MARIA));
    expect(graph.received.map((m) => [m.to.replace('+', ''), 'error' in m.outcome ? m.outcome.error : 'accepted'])).toEqual([
      [MARIA, 131056],
      [LUCA, 'accepted'],
      [MARIA, 131056],
      [MARIA, 'accepted'],
    ]);
  });
});

describe('POST /sandbox/error', () => {
  it.each<[number, number, string, string]>([
    [131048, 400, 'Spam rate limit hit', 'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.'],
    [131049, 400, 'This message was not delivered to maintain healthy ecosystem engagement.', 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.'],
    [131050, 400, 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business', 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business'],
    [131042, 400, 'Business eligibility payment issue', 'Message failed to send because there were one or more errors related to your payment method.'],
    [131009, 400, 'Parameter value is not valid', 'One or more parameter values are invalid.'],
    [999999, 400, 'An unknown error occurred', 'Error 999999, played by the sandbox.'],
  ])('answers %i with HTTP %i and Meta’s title and details, to every number until DELETE /sandbox/error', async (code, http, title, details) => {
    const { arm, send, control } = await sandbox();
    expect(await arm('error', { code })).toEqual({ armed: { kind: 'error', code } });
    for (const to of [MARIA, LUCA]) {
      expect(await send(to)).toEqual({
        status: http,
        body: { error: { message: `(#${code}) ${title}`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: expect.any(String) } },
      });
    }
    expect(await control('DELETE', 'error')).toEqual({ status: 200, body: { cleared: 1 } });
    accepted(await send(MARIA));
  });

  it('plays an error for one number, `times` times, with the details naming a parameter', async () => {
    const { arm, send } = await sandbox();
    const details = "Parameter value is not valid: components[0]['parameters'][1]['text']";
    await arm('error', { code: 131009, to: '+39 347 123 4567', times: 1, details });
    accepted(await send(MARIA));
    expect((await send(LUCA)).body).toMatchObject({ error: { code: 131009, error_data: { details } } });
    accepted(await send(LUCA));
  });

  it('takes another HTTP status for an unknown code', async () => {
    const { arm, send } = await sandbox();
    await arm('error', { code: 4242, http: 503 });
    expect(await send(MARIA)).toMatchObject({ status: 503, body: { error: { code: 4242, message: '(#4242) An unknown error occurred' } } });
  });
});

/** The one status of a status webhook. */
const statusIn = (hook: Hook | undefined): Json => (changeOf(hook).value.statuses as Json[])[0] ?? {};

describe('POST /sandbox/failed-receipt', () => {
  it('accepts the message, then posts a signed `failed` status with Meta’s errors[] and the callback data as sent', async () => {
    const { arm, send, receiver } = await sandboxWithHooks();
    expect(await arm('failed-receipt', { to: '+39 333 123 4567', code: 131049 })).toEqual({ armed: { kind: 'failed-receipt', to: MARIA, code: 131049 } });
    const wamid = accepted(await send(MARIA, { biz_opaque_callback_data: 'cmp_7/3' }));
    const [hook] = await receiver.next();
    const title = 'This message was not delivered to maintain healthy ecosystem engagement.';
    const details = 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.';
    expect(changeOf(hook)).toEqual(
      metaChange({
        statuses: [
          {
            id: wamid,
            status: 'failed',
            timestamp: TIMESTAMP,
            recipient_id: MARIA,
            biz_opaque_callback_data: 'cmp_7/3',
            errors: [{ code: 131049, title, message: title, error_data: { details }, href: HREF }],
          },
        ],
      }),
    );
    expect(readWebhook(hook?.body, AT.toISOString()).statuses).toMatchObject([{ wamid, status: 'failed', campaignId: 'cmp_7', recipientIndex: 3, failure: { providerCode: '131049' } }]);
    // the next message to the same number fails too: a failed receipt stays armed until cleared
    accepted(await send(MARIA));
    expect(statusIn((await receiver.next())[0])).toMatchObject({ status: 'failed', errors: [{ code: 131049 }] });
  });
});

describe('POST /sandbox/account-error', () => {
  it('posts the error in value.errors, tied to no message', async () => {
    const { answer, hook, change } = await (await sandboxWithHooks()).made('account-error', { code: 131042 });
    expect(answer).toEqual({ status: 200, body: { webhook: 'HTTP 200' } });
    const title = 'Business eligibility payment issue';
    const details = 'Message failed to send because there were one or more errors related to your payment method.';
    expect(change).toEqual(metaChange({ errors: [{ code: 131042, title, message: title, error_data: { details }, href: HREF }] }));
    expect(readWebhook(hook?.body, AT.toISOString())).toMatchObject({ errors: [{ code: 131042, title }], statuses: [], inbound: [] });
  });
});

describe('POST /sandbox/slow and /sandbox/reset', () => {
  it('slow: lists the message and posts its receipts, then answers only after `ms`', async () => {
    const events: string[] = [];
    const { arm, send, receiver } = await sandboxWithHooks({ onReceived: () => events.push('listed') }, (hook) => events.push(String(statusIn(hook).status)));
    expect(await arm('slow', { to: MARIA, ms: 40 })).toEqual({ armed: { kind: 'slow', to: MARIA, ms: 40, times: 1 } });
    const started = performance.now();
    const wamid = accepted(await send(MARIA, { biz_opaque_callback_data: 'cmp_7/3' }));
    events.push('answer');
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    expect(events).toEqual(['listed', 'sent', 'delivered', 'read', 'answer']);
    expect((await receiver.next(3)).map(statusIn)).toMatchObject(['sent', 'delivered', 'read'].map((status) => ({ id: wamid, status, biz_opaque_callback_data: 'cmp_7/3' })));
  });

  it('reset: lists the message and posts its receipts, then drops the connection unanswered', async () => {
    const { arm, send, graph, receiver } = await sandboxWithHooks();
    await arm('reset', { to: '+39 333 123 4567' });
    await expect(send(MARIA, { biz_opaque_callback_data: 'cmp_7/3' })).rejects.toThrow(/fetch failed/);
    const listed = graph.received[0] as ReceivedMessage;
    expect(listed.outcome).toEqual({ wamid: expect.stringMatching(/^wamid\./) });
    const wamid = 'wamid' in listed.outcome ? listed.outcome.wamid : '';
    expect((await receiver.next(3)).map(statusIn)).toMatchObject(['sent', 'delivered', 'read'].map((status) => ({ id: wamid, status, biz_opaque_callback_data: 'cmp_7/3' })));
    accepted(await send(MARIA));
  });
});

describe('POST /sandbox/inbound', () => {
  it('makes up an interactive button reply, with the context given', async () => {
    const { made } = await sandboxWithHooks();
    const { answer, hook, change } = await made('inbound', { from: '+39 333 123 4567', name: 'Maria', buttonReply: { id: 'stop-cantieri', title: 'Non più' }, context: 'wamid.OURS' });
    expect(answer).toEqual({ status: 200, body: { id: expect.stringMatching(/^wamid\./), webhook: 'HTTP 200' } });
    expect(change).toEqual(
      metaChange({
        contacts: [{ profile: { name: 'Maria' }, wa_id: MARIA }],
        messages: [
          {
            context: { from: '390000000000', id: 'wamid.OURS' },
            from: MARIA,
            id: answer.body.id,
            timestamp: TIMESTAMP,
            type: 'interactive',
            interactive: { type: 'button_reply', button_reply: { id: 'stop-cantieri', title: 'Non più' } },
          },
        ],
      }),
    );
    expect(readWebhook(hook?.body, AT.toISOString()).inbound).toMatchObject([{ kind: 'interactive', words: ['stop-cantieri', 'Non più'] }]);
  });

  it('makes up a list reply to the last message the sandbox accepted for that number', async () => {
    const { made, send, receiver } = await sandboxWithHooks();
    const ours = accepted(await send(MARIA));
    await receiver.next(3);
    const { change } = await made('inbound', { from: MARIA, listReply: { id: 'cantieri', title: 'Cantieri', description: 'Lavori stradali' } });
    expect((change.value.messages as Json[])[0]).toMatchObject({
      context: { from: '390000000000', id: ours },
      type: 'interactive',
      interactive: { type: 'list_reply', list_reply: { id: 'cantieri', title: 'Cantieri', description: 'Lavori stradali' } },
    });
  });

  it('makes up a message from a username citizen: no from, no wa_id, the user id and the username', async () => {
    const { answer, hook, change } = await (await sandboxWithHooks()).made('inbound', { userId: USER_ID, username: '@maria.rossi', text: 'STOP' });
    expect(change).toEqual(
      metaChange({
        contacts: [{ profile: { name: 'Cittadino', username: '@maria.rossi' }, user_id: USER_ID }],
        messages: [{ from_user_id: USER_ID, id: answer.body.id, timestamp: TIMESTAMP, type: 'text', text: { body: 'STOP' } }],
      }),
    );
    expect(readWebhook(hook?.body, AT.toISOString()).inbound).toMatchObject([{ from: '', identity: { userId: USER_ID }, words: ['STOP'] }]);
  });
});

describe('POST /sandbox/number-change', () => {
  it('posts user_changed_number, with no contacts array', async () => {
    const { answer, hook, change } = await (await sandboxWithHooks()).made('number-change', { from: '+39 333 123 4567', to: '347 123 4567', name: 'Maria' });
    const system = { body: `User Maria changed from ${MARIA} to ${LUCA}`, wa_id: LUCA, type: 'user_changed_number' };
    expect(change).toEqual(metaChange({ messages: [{ from: MARIA, id: answer.body.id, timestamp: TIMESTAMP, system, type: 'system' }] }));
    expect(readWebhook(hook?.body, AT.toISOString()).identityChanges).toMatchObject([{ kind: 'number-changed', before: { phone: `+${MARIA}` }, phone: `+${LUCA}` }]);
  });

  it('posts user_changed_user_id', async () => {
    const next = 'US.99887766554433221100';
    const { answer, hook, change } = await (await sandboxWithHooks()).made('number-change', { userId: USER_ID, newUserId: next });
    const system = { body: `User Cittadino changed from ${USER_ID} to ${next}`, previous_user_id: USER_ID, user_id: next, type: 'user_changed_user_id' };
    expect(change).toEqual(metaChange({ messages: [{ from_user_id: USER_ID, id: answer.body.id, timestamp: TIMESTAMP, system, type: 'system' }] }));
    expect(readWebhook(hook?.body, AT.toISOString()).identityChanges).toMatchObject([{ kind: 'user-id-changed', before: { userId: USER_ID }, userId: next }]);
  });
});

describe('POST /sandbox/preferences', () => {
  it('posts user_preferences stop for a number and resume for a user id', async () => {
    const { made } = await sandboxWithHooks();
    const stop = await made('preferences', { from: '+39 333 123 4567', preference: 'stop' });
    const resume = await made('preferences', { userId: USER_ID, preference: 'resume' });
    const detail = 'User requested to stop marketing messages';
    const preference = { wa_id: MARIA, detail, category: 'marketing_messages', value: 'stop', timestamp: Number(TIMESTAMP) };
    expect(stop.change).toEqual(metaChange({ contacts: [{ wa_id: MARIA }], user_preferences: [preference] }, 'user_preferences'));
    expect(resume.change.value).toMatchObject({ contacts: [{ user_id: USER_ID }], user_preferences: [{ user_id: USER_ID, value: 'resume', detail: 'User requested to resume marketing messages' }] });
    expect([stop, resume].flatMap(({ hook }) => readWebhook(hook?.body, AT.toISOString()).preferences)).toMatchObject([
      { from: MARIA, value: 'stop' },
      { from: '', identity: { userId: USER_ID }, value: 'resume' },
    ]);
  });
});

describe('the armed situations', () => {
  it('are listed by GET /sandbox/scenarios, cleared by DELETE, and taken by a user id as by a number', async () => {
    const { arm, control, send } = await sandbox({ scenarios: [{ kind: 'reset', to: LUCA, times: 1 }] });
    await arm('pair-limit', { to: USER_ID, times: 1 });
    await arm('error', { code: 131048, times: 5 });
    expect(await control('GET', 'scenarios')).toEqual({
      status: 200,
      body: { armed: [{ kind: 'reset', to: LUCA, times: 1 }, { kind: 'pair-limit', to: USER_ID, times: 1 }, { kind: 'error', code: 131048, times: 5 }] },
    });
    expect((await send(MARIA)).body).toMatchObject({ error: { code: 131048 } });
    expect((await control('GET', 'scenarios')).body.armed).toContainEqual({ kind: 'error', code: 131048, times: 4 });
    expect(await control('DELETE', 'scenarios')).toEqual({ status: 200, body: { cleared: 3 } });
    accepted(await send(LUCA));
    // a message to a user id alone (`recipient`, no `to`) takes what was armed for that user id
    const byUserId = { to: undefined, recipient: USER_ID };
    await arm('pair-limit', { to: USER_ID });
    expect((await send(MARIA, byUserId)).body).toMatchObject({ error: { code: 131056 } });
    accepted(await send(MARIA, byUserId));
  });

  it.each<[string, unknown, RegExp]>([
    ['pair-limit', { times: 3 }, /"to" is required/],
    ['pair-limit', { to: 'maria', times: 3 }, /"to" \(maria\) is neither a phone number nor a user id/],
    ['pair-limit', { to: MARIA, times: 0 }, /"times" is a whole number from 1/],
    ['error', { code: 'spam' }, /"code" is a Graph error code/],
    ['error', { code: 131048, http: 200 }, /"http" is a whole number from 400 to 599/],
    ['failed-receipt', { to: MARIA }, /"code" is a Graph error code/],
    ['slow', { to: MARIA }, /"ms" is required/],
    ['reset', [MARIA], /the body is a JSON object/],
    ['inbound', { from: MARIA }, /give one of "text", "button"/],
    ['inbound', { from: MARIA, buttonReply: { id: 'x' } }, /"buttonReply.title" is required/],
    ['inbound', { from: USER_ID, text: 'STOP' }, /a user id goes in "userId"/],
    ['number-change', { from: MARIA }, /"to" \(undefined\) is not a phone number/],
    ['number-change', {}, /give \{"from"/],
    ['preferences', { from: MARIA, preference: 'pause' }, /"preference" is "stop" or "resume"/],
    ['account-error', {}, /"code" is a Graph error code/],
  ])('POST /sandbox/%s %j is refused with 400 and what to fix', async (name, body, problem) => {
    const { control } = await sandbox({ webhookUrl: 'http://127.0.0.1:9/unused' });
    const answer = await control('POST', name, body);
    expect(answer.status).toBe(400);
    expect(String(answer.body.error)).toMatch(problem);
  });

  it('answers 409 to a webhook it cannot post, 404 to an unknown endpoint, 400 to a body that is not JSON', async () => {
    const { control, url } = await sandbox();
    expect(await control('POST', 'preferences', { from: MARIA, preference: 'stop' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/--webhook-url/) } });
    expect(await control('POST', 'nothing', {})).toMatchObject({ status: 404, body: { error: expect.stringMatching(/POST \/sandbox\/pair-limit/) } });
    expect((await fetch(`${url}/sandbox/slow`, { method: 'POST', body: '{"to":' })).status).toBe(400);
  });
});
