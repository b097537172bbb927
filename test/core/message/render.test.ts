import { describe, expect, it } from 'vitest';
import { compileMessage, type CompiledMessage } from '../../../src/core/message/compile.js';
import type { MessageSpec } from '../../../src/core/message/message-spec.js';
import { refusalFor, renderEmailFor, renderFor, renderWhatsAppFor } from '../../../src/core/message/render.js';
import { paramTextProblem, renderTemplateParams } from '../../../src/core/message/template-params.js';
import type { UnsubscribeLinks } from '../../../src/core/ports.js';
import type { TemplateInfo } from '../../../src/core/message/template-check.js';
import { DEFAULT_TOPICS } from '../../../src/core/topic.js';
import { aSubscriber } from '../../support/builders.js';

const templates: TemplateInfo[] = [
  { name: 'avviso_cantieri', language: 'it', status: 'APPROVED', category: 'UTILITY', parameterFormat: 'positional', body: 'Ciao {{1}}, {{2}} è chiusa.' },
  { name: 't', language: 'it', status: 'APPROVED', category: 'UTILITY', parameterFormat: 'named', body: 'Avviso per il {{municipio}}.' },
  { name: 'lungo', language: 'it', status: 'APPROVED', category: 'UTILITY', parameterFormat: 'positional', body: `${'x'.repeat(1000)} {{1}}` },
];
const context = { topics: DEFAULT_TOPICS, knownFields: new Set(['name', 'phone', 'email', 'municipio']), templates };
const links: UnsubscribeLinks = { urlFor: (id, topic) => `https://x.example.it/u/${id}-${topic ?? ''}`, read: () => undefined };
const origin = { campaignId: 'cmp_1', recipientKey: 'sub_1' };

function spec(overrides: Partial<MessageSpec> = {}): MessageSpec {
  return { source: 'm.md', topics: ['cantieri'], subject: 'Lavori in via {{municipio | "Nazionale"}}', body: 'Ciao **{{nome}}**, via Nazionale è chiusa.', ...overrides };
}

function compiled(overrides: Partial<MessageSpec> = {}): CompiledMessage {
  const result = compileMessage(spec(overrides), context);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.message;
}

describe('compileMessage', () => {
  it('resolves topics and renders both channels', () => {
    const message = compiled();
    expect(message.topics).toEqual(['cantieri']);
    expect(message.channels).toEqual(['whatsapp', 'email']);
    expect(message.whatsappText).toBe('Ciao *{{nome}}*, via Nazionale è chiusa.');
    expect(message.email?.text).toBe('Ciao {{nome}}, via Nazionale è chiusa.');
  });

  it.each<[string, Partial<MessageSpec>, RegExp]>([
    ['an unknown topic', { topics: ['sport'] }, /unknown topic "sport"/],
    ['an unknown placeholder', { body: 'Ciao {{cognome}}' }, /body: unknown placeholder \{\{cognome\}\} — use nome, email, telefono or an attribute: municipio/],
    ['a malformed placeholder', { body: 'Ciao {{nome}' }, /body: a "\{\{" or "\}\}" that is not a placeholder/],
    ['an unknown placeholder in a parameter', { whatsapp: { template: 'avviso_cantieri', language: 'it', params: ['{{via}}', 'x'] } }, /whatsapp\.params\[0\]: unknown placeholder/],
    ['a template that was never synced', { whatsapp: { template: 'nuovo', language: 'it', params: [] } }, /there is no template "nuovo"/],
    ['e-mail without a subject', { subject: undefined }, /subject: an e-mail needs a subject/],
    ['a subject with a line break', { subject: 'Lavori\r\nBcc: all@example.it' }, /subject: line breaks are not allowed/],
    ['free text over 4096 characters', { body: 'x'.repeat(4097), channels: ['whatsapp'] }, /body: 4097 characters as a WhatsApp message, over its limit of 4096/],
    ['an empty body', { body: '  ' }, /body: the message has no text/],
  ])('refuses %s', (_label, overrides, problem) => {
    const result = compileMessage(spec(overrides), context);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problems.join('\n')).toMatch(problem);
  });

  it('needs no subject for a WhatsApp-only message', () => {
    expect(compileMessage(spec({ subject: undefined, channels: ['whatsapp'] }), context).ok).toBe(true);
  });
});

describe('renderWhatsAppFor', () => {
  it('fills the free text', () => {
    const result = renderWhatsAppFor(compiled(), aSubscriber({ name: 'Maria', phone: '+393331234567' as never }), origin);
    expect(result).toEqual({ ok: true, envelope: { ...origin, channel: 'whatsapp', to: '+393331234567', content: { kind: 'text', body: 'Ciao *Maria*, via Nazionale è chiusa.' } } });
  });

  it('refuses a recipient whose values make the template body too long', () => {
    const message = compiled({ whatsapp: { template: 'lungo', language: 'it', params: ['{{nome}}'] } });
    const result = renderWhatsAppFor(message, aSubscriber({ name: 'y'.repeat(30) }), origin);
    expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(/1031 characters, over WhatsApp's limit of 1024/)]);
  });

  it.each([
    ['their number, when there is one', { phone: '+393331234567', whatsappUserId: 'US.13491208655302741918' }, '+393331234567'],
    ['their WhatsApp user id, when there is no number', { phone: undefined, whatsappUserId: 'US.13491208655302741918' }, 'US.13491208655302741918'],
  ])('addresses %s', (_, address, to) => {
    const result = renderWhatsAppFor(compiled(), aSubscriber({ name: 'Maria', ...address } as never), origin);
    expect(result.ok && result.envelope.to).toBe(to);
  });

  it('refuses a subscriber with neither a number nor a user id', () => {
    expect(renderWhatsAppFor(compiled(), aSubscriber({ name: 'Maria', phone: undefined } as never), origin)).toEqual({ ok: false, missing: [], problems: ['no phone number or WhatsApp user id'] });
  });

  it('names what a recipient lacks', () => {
    expect(renderWhatsAppFor(compiled(), aSubscriber({ name: undefined }), origin)).toEqual({ ok: false, missing: ['name'], problems: [] });
  });

  it('fills template parameters, positional and named', () => {
    const maria = aSubscriber({ name: 'Maria', attributes: { municipio: 'I' } });
    const positional = renderWhatsAppFor(compiled({ whatsapp: { template: 'avviso_cantieri', language: 'it', params: ['{{nome}}', 'via Nazionale'] } }), maria, origin);
    expect(positional.ok && positional.envelope.content).toEqual({ kind: 'template', name: 'avviso_cantieri', language: 'it', parameters: { format: 'positional', values: ['Maria', 'via Nazionale'] } });
    const named = renderWhatsAppFor(compiled({ whatsapp: { template: 't', language: 'it', params: { municipio: 'Municipio {{municipio}}' } } }), maria, origin);
    expect(named.ok && named.envelope.content).toMatchObject({ parameters: { format: 'named', values: { municipio: 'Municipio I' } } });
  });
});

describe('template parameter rules', () => {
  it.each([
    ['via Nazionale', undefined],
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['riga\naltra', 'contains a line break'],
    ['riga\r', 'contains a line break'],
    ['a\tb', 'contains a tab'],
    ['a     b', 'contains more than four spaces in a row'],
    ['a    b', undefined],
  ])('%j → %s', (value, problem) => {
    expect(paramTextProblem(value)).toBe(problem);
  });

  it('reports a recipient value that breaks a rule, with the parameter it went into', () => {
    const result = renderTemplateParams({ template: 't', language: 'it', params: ['{{municipio}}'] }, () => 'I\tII');
    expect(result.problems).toEqual(['whatsapp.params[0] "I\\tII": contains a tab']);
  });
});

describe('renderEmailFor', () => {
  it('fills subject, text and HTML, escaping values in HTML only, with the unsubscribe link', () => {
    const anna = aSubscriber({ id: 'sub_1' as never, name: '<b>Anna</b>', email: 'anna@example.it' as never, topics: ['scuola', 'cantieri'] });
    const result = renderEmailFor(compiled(), anna, origin, { cityName: 'Comune di Esempio', links });
    if (!result.ok) throw new Error('refused');
    const e = result.envelope;
    expect(e.subject).toBe('Lavori in via Nazionale');
    // "-- " with its space: the signature separator of RFC 3676 §4.3
    expect(e.text).toBe('Ciao <b>Anna</b>, via Nazionale è chiusa.\n\n-- \nPer cambiare argomenti o annullare l\'iscrizione: https://x.example.it/u/sub_1-cantieri\n');
    expect(e.list).toEqual({ id: 'cantieri', name: 'Comune di Esempio – Cantieri' });
    expect(e.html).toContain('<strong>&lt;b&gt;Anna&lt;/b&gt;</strong>');
    expect(e.html).toContain('href="https://x.example.it/u/sub_1-cantieri"');
    expect(e.unsubscribeUrl).toBe('https://x.example.it/u/sub_1-cantieri');
    expect(e.toName).toBe('<b>Anna</b>');
  });

  it.each([
    ['a value with a line break in the subject', aSubscriber({ attributes: { municipio: 'I\r\nBcc: tutti@example.it' } }), /line break/],
    ['a name with a line break', aSubscriber({ name: 'Anna\nBcc: x@example.it' }), /line break/],
    ['no e-mail address', aSubscriber({ email: undefined }), /no e-mail address/],
  ])('refuses %s (no header injection)', (_label, subscriber, problem) => {
    const result = renderEmailFor(compiled(), subscriber, origin, { cityName: 'C', links });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problems.join()).toMatch(problem);
  });
});

describe('refusalFor: what a plan asks of every recipient', () => {
  const messages: Array<[string, CompiledMessage]> = [
    ['free text and e-mail', compiled()],
    ['a positional template', compiled({ whatsapp: { template: 'avviso_cantieri', language: 'it', params: ['{{nome}}', 'via {{municipio}}'] } })],
    ['a named template', compiled({ whatsapp: { template: 't', language: 'it', params: { municipio: '{{municipio}}' } } })],
    ['a template made too long by a value', compiled({ whatsapp: { template: 'lungo', language: 'it', params: ['{{municipio}}'] } })],
    ['a subject with a value', compiled({ subject: 'Per {{nome}}' })],
  ];
  const people = [
    aSubscriber({ name: 'Anna', attributes: { municipio: 'I' } }),
    aSubscriber({ name: undefined, attributes: {} }),
    aSubscriber({ phone: undefined, whatsappUserId: 'IT.1', email: undefined, name: 'Bea' }),
    aSubscriber({ phone: undefined, email: undefined }),
    aSubscriber({ name: 'Riga\nspezzata', attributes: { municipio: 'x'.repeat(3100) } }),
    aSubscriber({ name: 'Carla', attributes: { municipio: 'II\r\nBcc: a@example.it' } }),
  ];

  it.each(messages)('answers as renderFor does, on every channel, for %s', (_label, message) => {
    for (const subscriber of people) {
      for (const channel of ['whatsapp', 'email'] as const) {
        const rendering = renderFor(channel, message, subscriber, origin, { cityName: 'Comune', links });
        const refusal = refusalFor(channel, message, subscriber);
        expect(refusal, `${channel} ${subscriber.name ?? subscriber.id}`).toEqual(rendering.ok ? undefined : rendering);
      }
    }
  });
});
