import { describe, expect, it } from 'vitest';
import { templateInfoOf } from '../../../src/core/message/template-info.js';
import { compileMessage, type CompiledMessage } from '../../../src/core/message/compile.js';
import type { TemplateUse } from '../../../src/core/message/message-spec.js';
import { renderWhatsAppFor } from '../../../src/core/message/render.js';
import { templateViewOf } from '../../../src/core/message/template-view.js';
import { DEFAULT_TOPICS } from '../../../src/core/topic.js';
import { aSubscriber } from '../../support/builders.js';
import { sandboxTemplates } from '../../support/sandbox-templates.js';

const templates = sandboxTemplates().map(templateInfoOf);
const context = { topics: DEFAULT_TOPICS, knownFields: new Set(['name', 'phone', 'email', 'municipio']), templates };
const origin = { campaignId: 'cmp_1', recipientKey: 'sub_1' };
const MAPPA = 'https://comune.example.it/mappe/allerta.png';

function compiled(whatsapp: TemplateUse): CompiledMessage {
  const result = compileMessage({ source: 'm.md', topics: ['emergenze'], channels: ['whatsapp'], whatsapp, body: '' }, context);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.message;
}

const allerta = (overrides: Partial<TemplateUse> = {}): TemplateUse => ({
  template: 'allerta_meteo',
  language: 'it',
  header: { kind: 'image', media: { link: MAPPA } },
  params: ['{{nome | "cittadina, cittadino"}}', 'arancione'],
  buttons: [{ url: 'allerte/{{municipio}}' }],
  ...overrides,
});
const municipio = (overrides: Partial<TemplateUse> = {}): TemplateUse => ({
  template: 'avviso_municipio',
  language: 'it',
  header: { kind: 'text', params: ['{{municipio}}'] },
  params: { nome: '{{nome}}', avviso: 'domani la via è chiusa' },
  ...overrides,
});
const maria = aSubscriber({ name: 'Maria Rossi', attributes: { municipio: 'Centro Storico' } });

describe('a template with a header and buttons, rendered for one recipient', () => {
  it('carries the image, the body and the link suffix with the button’s place among all the buttons', () => {
    const rendering = renderWhatsAppFor(compiled(allerta()), maria, origin);
    expect(rendering).toEqual({
      ok: true,
      envelope: expect.objectContaining({
        content: {
          kind: 'template',
          name: 'allerta_meteo',
          language: 'it',
          header: { kind: 'image', media: { link: MAPPA } },
          parameters: { format: 'positional', values: ['Maria Rossi', 'arancione'] },
          // the phone button is first: the link is button 1; the subscriber's value is percent-encoded in the link
          buttons: [{ kind: 'url', index: 1, suffix: 'allerte/Centro%20Storico' }],
        },
      }),
    });
  });

  it('names a named template’s header parameter after the template’s variable', () => {
    const rendering = renderWhatsAppFor(compiled(municipio()), maria, origin);
    expect(rendering.ok && rendering.envelope.content).toMatchObject({
      header: { kind: 'text', parameters: { format: 'named', values: { municipio: 'Centro Storico' } } },
      parameters: { format: 'named', values: { nome: 'Maria Rossi', avviso: 'domani la via è chiusa' } },
    });
  });

  it('fills a quick reply’s payload, and a document keeps its name', () => {
    const conferma = renderWhatsAppFor(compiled({ template: 'conferma_iscrizione', language: 'it', params: ['{{nome}}', 'cantieri'], buttons: [{ payload: 'STOP {{municipio}}' }] }), maria, origin);
    expect(conferma.ok && conferma.envelope.content).toMatchObject({ buttons: [{ kind: 'quick-reply', index: 0, payload: 'STOP Centro Storico' }] });
    const bando = renderWhatsAppFor(compiled({ template: 'bando_pubblicato', language: 'it', header: { kind: 'document', media: { id: '8812' }, filename: 'bando.pdf' }, params: ['asili', '30 marzo'] }), maria, origin);
    expect(bando.ok && bando.envelope.content).toMatchObject({ header: { kind: 'document', media: { id: '8812' }, filename: 'bando.pdf' } });
  });

  it.each<[string, TemplateUse, ReturnType<typeof aSubscriber>, { missing?: string[]; problems?: string[] }]>([
    ['a header value nobody has', municipio(), aSubscriber({ name: 'Luca' }), { missing: ['municipio'] }],
    ['a suffix value nobody has', allerta(), aSubscriber({ name: 'Luca' }), { missing: ['municipio'] }],
    ['a header over 60 characters once filled', municipio(), aSubscriber({ name: 'Luca', attributes: { municipio: 'x'.repeat(43) } }), { problems: ["whatsapp.header: the filled header has 61 characters, over WhatsApp's limit of 60"] }],
    ['a header value with a tab', municipio(), aSubscriber({ name: 'Luca', attributes: { municipio: 'I\tII' } }), { problems: ['whatsapp.header[0] "I\\tII": contains a tab'] }],
    ['a suffix with a space in the city’s own text', allerta({ buttons: [{ url: 'allerte /{{municipio}}' }] }), maria, { problems: ['whatsapp.buttons[0].url "allerte /Centro%20Storico": contains a space or a line break, which a link cannot hold'] }],
    ['an empty payload', { template: 'conferma_iscrizione', language: 'it', params: ['a', 'b'], buttons: [{ payload: '{{municipio | ""}}' }] }, aSubscriber({ name: 'Luca' }), { problems: ['whatsapp.buttons[0].payload "": is empty'] }],
  ])('refuses %s', (_label, use, subscriber, refused) => {
    expect(renderWhatsAppFor(compiled(use), subscriber, origin)).toEqual({ ok: false, missing: refused.missing ?? [], problems: refused.problems ?? [] });
  });

  it('counts 60 characters exactly as fitting', () => {
    const fits = aSubscriber({ name: 'Luca', attributes: { municipio: 'x'.repeat(42) } });
    expect(renderWhatsAppFor(compiled(municipio()), fits, origin).ok).toBe(true);
  });
});

describe('a template as the phone shows it', () => {
  it('has the image’s link over the body, the footer, and each button with where it leads', () => {
    const message = compiled(allerta());
    const rendering = renderWhatsAppFor(message, maria, origin);
    if (!rendering.ok || rendering.envelope.content.kind !== 'template' || message.whatsappTemplate === undefined) throw new Error('not rendered');
    expect(templateViewOf(message.whatsappTemplate, rendering.envelope.content)).toEqual({
      header: `[immagine] ${MAPPA}`,
      body: "Gentile Maria Rossi, è in vigore un'allerta meteo arancione. Nella mappa le zone a rischio: evitate sottopassi e argini.",
      footer: 'Comune di Esempio — messaggio automatico',
      buttons: [
        { type: 'PHONE_NUMBER', text: 'Protezione civile', phoneNumber: '+390600000000' },
        { type: 'URL', text: 'Mappa aggiornata', url: 'https://comune.example.it/allerte/Centro%20Storico' },
      ],
    });
  });

  it.each<[string, TemplateUse, string]>([
    ['a text header filled', municipio(), 'Municipio Centro Storico: avviso'],
    ['a document by its name', { template: 'bando_pubblicato', language: 'it', header: { kind: 'document', media: { link: 'https://a.it/b.pdf' }, filename: 'bando.pdf' }, params: ['a', 'b'] }, '[documento] bando.pdf'],
    ['a media by id', { template: 'bando_pubblicato', language: 'it', header: { kind: 'document', media: { id: '8812' } }, params: ['a', 'b'] }, '[documento] media 8812'],
    ['a fixed text header', { template: 'allerta_emergenza', language: 'it', params: ['a', 'b', 'c'] }, 'Allerta di protezione civile'],
  ])('shows %s', (_label, use, header) => {
    const message = compiled(use);
    const rendering = renderWhatsAppFor(message, maria, origin);
    if (!rendering.ok || rendering.envelope.content.kind !== 'template' || message.whatsappTemplate === undefined) throw new Error('not rendered');
    expect(templateViewOf(message.whatsappTemplate, rendering.envelope.content).header).toBe(header);
  });
});

describe('compiling a template use', () => {
  it('checks the placeholders of the header and the buttons against the known fields', () => {
    const result = compileMessage({ source: 'm.md', topics: ['emergenze'], channels: ['whatsapp'], body: '', whatsapp: allerta({ buttons: [{ url: 'allerte/{{quartiere}}' }], header: { kind: 'image', media: { link: MAPPA } }, params: ['{{cognome}}', 'arancione'] }) }, context);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^whatsapp\.params\[0\]: unknown placeholder \{\{cognome\}\}/),
      expect.stringMatching(/^whatsapp\.buttons\[0\]\.url: unknown placeholder \{\{quartiere\}\}/),
    ]);
    const header = compileMessage({ source: 'm.md', topics: ['emergenze'], channels: ['whatsapp'], body: '', whatsapp: municipio({ header: { kind: 'text', params: ['{{zona}}'] } }) }, context);
    expect(header.ok ? [] : header.problems).toEqual([expect.stringMatching(/^whatsapp\.header\[0\]: unknown placeholder \{\{zona\}\}/)]);
  });
});
