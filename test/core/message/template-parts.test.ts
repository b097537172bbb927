import { describe, expect, it } from 'vitest';
import { templateInfoOf } from '../../../src/core/message/template-info.js';
import type { TemplateUse } from '../../../src/core/message/message-spec.js';
import { checkTemplateUse, type TemplateInfo } from '../../../src/core/message/template-check.js';
import { takesOnlyBodyValues, valuedButtonsOf } from '../../../src/core/message/template-parts.js';
import { sandboxTemplates } from '../../support/sandbox-templates.js';

const synced = sandboxTemplates().map(templateInfoOf);
const MAPPA = 'https://comune.example.it/mappe/allerta.png';

/** The sandbox's templates, and a few more whose header or buttons the sandbox has none of. */
const more: TemplateInfo[] = [
  { name: 'video_cantiere', language: 'it', status: 'APPROVED', category: 'UTILITY', parameterFormat: 'positional', body: 'Ecco il cantiere di {{1}}.', header: { format: 'VIDEO' } },
  { name: 'sede_seggio', language: 'it', status: 'APPROVED', category: 'UTILITY', parameterFormat: 'positional', body: 'Il tuo seggio.', header: { format: 'LOCATION' } },
  {
    name: 'buono_mensa',
    language: 'it',
    status: 'APPROVED',
    category: 'MARKETING',
    parameterFormat: 'positional',
    body: 'Il tuo buono.',
    buttons: [{ type: 'COPY_CODE', text: 'Copia il codice', parameters: [] }],
  },
  {
    name: 'due_pulsanti',
    language: 'it',
    status: 'APPROVED',
    category: 'UTILITY',
    parameterFormat: 'positional',
    body: 'Avviso.',
    buttons: [
      { type: 'QUICK_REPLY', text: 'Sì', parameters: [] },
      { type: 'URL', text: 'Dettagli', url: 'https://comune.example.it/{{1}}', parameters: ['1'] },
      { type: 'QUICK_REPLY', text: 'No', parameters: [] },
    ],
  },
];
const all = [...synced, ...more];

const problems = (use: Partial<TemplateUse> & { template: string }) => checkTemplateUse({ language: 'it', params: [], ...use }, all).problems;

describe('the template check, component by component', () => {
  it.each<[string, Partial<TemplateUse> & { template: string }]>([
    ['an image header by link, the body and the link suffix', { template: 'allerta_meteo', header: { kind: 'image', media: { link: MAPPA } }, params: ['Maria', 'arancione'], buttons: [{ url: 'allerte/{{municipio}}' }] }],
    ['an image header by media id', { template: 'allerta_meteo', header: { kind: 'image', media: { id: '1479537139650973' } }, params: ['Maria', 'arancione'], buttons: [{ url: 'allerte/centro' }] }],
    ['a named text header', { template: 'avviso_municipio', header: { kind: 'text', params: ['{{municipio}}'] }, params: { nome: 'Maria', avviso: 'domani' } }],
    ['a document with its name', { template: 'bando_pubblicato', header: { kind: 'document', media: { link: 'https://comune.example.it/bando.pdf' }, filename: 'bando.pdf' }, params: ['asili', '30 marzo'] }],
    ['a quick reply without a payload (WhatsApp sends the label)', { template: 'conferma_iscrizione', params: ['Maria', 'cantieri'] }],
    ['a quick reply with a payload', { template: 'conferma_iscrizione', params: ['Maria', 'cantieri'], buttons: [{ payload: 'STOP cantieri' }] }],
    ['a fixed text header and a fixed link, with nothing for them', { template: 'allerta_emergenza', params: ['a', 'b', 'c'] }],
    ['a video header', { template: 'video_cantiere', header: { kind: 'video', media: { link: 'https://comune.example.it/v.mp4' } }, params: ['via Roma'] }],
    ['quick replies left out around a link, only at the end', { template: 'due_pulsanti', buttons: [{ payload: 'SI' }, { url: 'x' }] }],
  ])('accepts %s', (_label, use) => {
    expect(problems(use)).toEqual([]);
  });

  it.each<[string, Partial<TemplateUse> & { template: string }, string]>([
    ['an image header left out', { template: 'allerta_meteo', params: ['Maria', 'arancione'], buttons: [{ url: 'x' }] }, 'whatsapp.header: "allerta_meteo" has an image header: add header: { image: "https://…" } (a link), or { image: { id: "…" } } (a media id uploaded to WhatsApp)'],
    ['a video for an image header', { template: 'allerta_meteo', header: { kind: 'video', media: { link: MAPPA } }, params: ['Maria', 'arancione'], buttons: [{ url: 'x' }] }, 'whatsapp.header: "allerta_meteo" has an image header (IMAGE), the message gives a video — write header: { image: "https://…" }'],
    ['text for an image header', { template: 'allerta_meteo', header: { kind: 'text', params: ['x'] }, params: ['Maria', 'arancione'], buttons: [{ url: 'x' }] }, 'whatsapp.header: "allerta_meteo" has an image header (IMAGE), the message gives text parameters — write header: { image: "https://…" }'],
    ['an http link', { template: 'allerta_meteo', header: { kind: 'image', media: { link: 'http://comune.example.it/a.png' } }, params: ['Maria', 'arancione'], buttons: [{ url: 'x' }] }, 'whatsapp.header.image: "http://comune.example.it/a.png" is not an https:// link — WhatsApp fetches the file from it'],
    ['a link that is no URL', { template: 'allerta_meteo', header: { kind: 'image', media: { link: 'mappa.png' } }, params: ['Maria', 'arancione'], buttons: [{ url: 'x' }] }, 'whatsapp.header.image: "mappa.png" is not an https:// link — WhatsApp fetches the file from it'],
    ['a placeholder in a link', { template: 'allerta_meteo', header: { kind: 'image', media: { link: 'https://a.it/{{municipio}}.png' } }, params: ['Maria', 'arancione'], buttons: [{ url: 'x' }] }, 'whatsapp.header.image: a media link cannot hold placeholders — the header is the same for every recipient'],
    ['a media id with a space', { template: 'allerta_meteo', header: { kind: 'image', media: { id: '147 953' } }, params: ['Maria', 'arancione'], buttons: [{ url: 'x' }] }, 'whatsapp.header.image.id: "147 953" is not a media id (the id WhatsApp gave when the file was uploaded)'],
    ['a text header parameter left out', { template: 'avviso_municipio', params: { nome: 'Maria', avviso: 'domani' } }, 'whatsapp.header: "avviso_municipio"\'s header "Municipio {{municipio}}: avviso" has a variable: add header: ["…"]'],
    ['two parameters for a one-variable header', { template: 'avviso_municipio', header: { kind: 'text', params: ['a', 'b'] }, params: { nome: 'Maria', avviso: 'domani' } }, 'whatsapp.header: "avviso_municipio"\'s header takes 1 parameter(s), the message gives 2'],
    ['an image for a text header', { template: 'avviso_municipio', header: { kind: 'image', media: { link: MAPPA } }, params: { nome: 'Maria', avviso: 'domani' } }, 'whatsapp.header: "avviso_municipio" has a text header ("Municipio {{municipio}}: avviso"), not an image — write header: ["…"]'],
    ['a header for a fixed one', { template: 'allerta_emergenza', header: { kind: 'text', params: ['x'] }, params: ['a', 'b', 'c'] }, 'whatsapp.header: "allerta_emergenza" has a fixed header ("Allerta di protezione civile"), which takes no parameter — remove whatsapp.header'],
    ['a header for a template without one', { template: 'chiusura_scuole', header: { kind: 'image', media: { link: MAPPA } }, params: ['a', 'b', 'c'] }, 'whatsapp.header: "chiusura_scuole" has no header, which takes no parameter — remove whatsapp.header'],
    ['a location header', { template: 'sede_seggio' }, 'whatsapp.header: "sede_seggio" has a location header, which canale cannot fill — use a template without one'],
    ['a URL suffix left out', { template: 'allerta_meteo', header: { kind: 'image', media: { link: MAPPA } }, params: ['Maria', 'arancione'] }, 'whatsapp.buttons[0].url: "allerta_meteo"\'s button "Mappa aggiornata" opens https://comune.example.it/{{1}}: give what goes in its variable as { url: "…" }'],
    ['a payload for a URL button', { template: 'allerta_meteo', header: { kind: 'image', media: { link: MAPPA } }, params: ['Maria', 'arancione'], buttons: [{ payload: 'x' }] }, 'whatsapp.buttons[0]: "allerta_meteo"\'s button "Mappa aggiornata" is a URL button — write { url: "…" }, the end of its address'],
    ['a URL for a quick reply', { template: 'conferma_iscrizione', params: ['Maria', 'cantieri'], buttons: [{ url: 'x' }] }, 'whatsapp.buttons[0]: "conferma_iscrizione"\'s button "Non più avvisi" is a quick reply — write { payload: "…" }'],
    ['more buttons than take a value', { template: 'conferma_iscrizione', params: ['Maria', 'cantieri'], buttons: [{ payload: 'a' }, { url: 'b' }] }, 'whatsapp.buttons: "conferma_iscrizione" has 1 button(s) that take a value (a quick reply "Non più avvisi"), the message gives 2'],
    ['buttons for a template whose buttons take none', { template: 'allerta_emergenza', params: ['a', 'b', 'c'], buttons: [{ url: 'x' }] }, 'whatsapp.buttons: "allerta_emergenza" has no button that takes a value, the message gives 1'],
    ['a link left out after a quick reply', { template: 'due_pulsanti', buttons: [{ payload: 'SI' }] }, 'whatsapp.buttons[1].url: "due_pulsanti"\'s button "Dettagli" opens https://comune.example.it/{{1}}: give what goes in its variable as { url: "…" }'],
    ['a copy-code button', { template: 'buono_mensa' }, 'whatsapp.template: "buono_mensa" has a COPY_CODE button ("Copia il codice"), which canale cannot fill — use a template without one'],
  ])('refuses %s, naming the field', (_label, use, problem) => {
    expect(problems(use)).toEqual([problem]);
  });

  it('still counts the body, beside the header and the buttons', () => {
    expect(problems({ template: 'allerta_meteo', params: ['Maria'] })).toEqual([
      'whatsapp.params: "allerta_meteo" takes 2 parameter(s), the message gives 1',
      expect.stringMatching(/^whatsapp\.header: /),
      expect.stringMatching(/^whatsapp\.buttons\[0\]\.url: /),
    ]);
  });
});

describe('the buttons a message gives values for', () => {
  it('are the links with a variable and the quick replies, each with its place among all the buttons', () => {
    const of = (name: string) => valuedButtonsOf(all.find((t) => t.name === name) as TemplateInfo).map((b) => [b.index, b.kind]);
    expect(of('allerta_meteo')).toEqual([[1, 'url']]);
    expect(of('due_pulsanti')).toEqual([[0, 'quick-reply'], [1, 'url'], [2, 'quick-reply']]);
    expect(of('allerta_emergenza')).toEqual([]);
  });

  it('tell compose which templates need nothing but body parameters', () => {
    expect(all.filter(takesOnlyBodyValues).map((t) => t.name)).toEqual(['avviso_cantieri', 'raccolta_rifiuti', 'chiusura_scuole', 'allerta_emergenza', 'evento_cittadino', 'conferma_iscrizione']);
  });
});
