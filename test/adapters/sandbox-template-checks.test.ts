import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/adapters/sandbox/graph-checks.js';
import { SANDBOX_TEMPLATES } from '../../src/adapters/sandbox/sandbox-templates.js';

const rules = { templates: SANDBOX_TEMPLATES, openWindow: new Set<string>() };
type Component = Record<string, unknown>;
const send = (name: string, components: Component[]) =>
  checkMessage({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '393331234567', type: 'template', template: { name, language: { code: 'it' }, components } }, rules);

const text = (t: string, name?: string) => ({ type: 'text', text: t, ...(name === undefined ? {} : { parameter_name: name }) });
const body = (...values: string[]): Component => ({ type: 'body', parameters: values.map((v) => text(v)) });
const image = (media: Record<string, unknown>): Component => ({ type: 'header', parameters: [{ type: 'image', image: media }] });
const MAPPA = { link: 'https://comune.example.it/mappa.png' };
const url = (index: unknown, suffix: string): Component => ({ type: 'button', sub_type: 'url', index, parameters: [{ type: 'text', text: suffix }] });
const reply = (index: string, payload: string): Component => ({ type: 'button', sub_type: 'quick_reply', index, parameters: [{ type: 'payload', payload }] });
const municipioBody: Component = { type: 'body', parameters: [text('Maria', 'nome'), text('domani', 'avviso')] };
const municipioHeader = (...params: unknown[]): Component => ({ type: 'header', parameters: params });

describe('the sandbox checks every component of a template send', () => {
  it.each<[string, string, Component[]]>([
    ['an image header by link, the body, the link suffix', 'allerta_meteo', [image(MAPPA), body('Maria', 'arancione'), url('1', 'allerte/centro')]],
    ['an image by id, the index as a number (as in Meta’s own example)', 'allerta_meteo', [image({ id: '1479537139650973' }), body('Maria', 'arancione'), url(1, 'allerte/centro')]],
    ['a named text header', 'avviso_municipio', [municipioHeader(text('Centro', 'municipio')), municipioBody]],
    ['a document with its name', 'bando_pubblicato', [{ type: 'header', parameters: [{ type: 'document', document: { link: 'https://a.it/b.pdf', filename: 'b.pdf' } }] }, body('asili', '30 marzo')]],
    ['a quick reply without its payload', 'conferma_iscrizione', [body('Maria', 'cantieri')]],
    ['a quick reply with its payload', 'conferma_iscrizione', [body('Maria', 'cantieri'), reply('0', 'STOP cantieri')]],
    ['the templates from before, as before', 'allerta_emergenza', [body('meteo', 'oggi', 'restate a casa')]],
  ])('accepts %s', (_label, name, components) => {
    expect(send(name, components)).toMatchObject({ type: 'template', template: name });
  });

  it.each<[string, string, Component[], number, string]>([
    ['an image header left out', 'allerta_meteo', [body('Maria', 'arancione'), url('1', 'x')], 132012, 'header: Format mismatch, expected IMAGE, received UNKNOWN'],
    ['a video for an image header', 'allerta_meteo', [{ type: 'header', parameters: [{ type: 'video', video: MAPPA }] }, body('Maria', 'arancione'), url('1', 'x')], 132012, 'header: Format mismatch, expected IMAGE, received VIDEO'],
    ['an image with neither link nor id', 'allerta_meteo', [image({}), body('Maria', 'arancione'), url('1', 'x')], 131008, 'header: image.id or image.link is required'],
    ['an image with both', 'allerta_meteo', [image({ id: '1', link: MAPPA.link }), body('Maria', 'arancione'), url('1', 'x')], 131009, 'header: give one of image.id or image.link, not both'],
    ['a link that is not a URL', 'allerta_meteo', [image({ link: 'mappa.png' }), body('Maria', 'arancione'), url('1', 'x')], 131009, 'header: image.link (mappa.png) is not a valid http(s) URL'],
    ['a header for a template without one', 'chiusura_scuole', [municipioHeader(text('x')), body('a', 'b', 'c')], 132000, 'header: number of localizable_params (1) does not match the expected number of params (0)'],
    ['a text header parameter left out', 'avviso_municipio', [municipioBody], 132000, 'header: number of localizable_params (0) does not match the expected number of params (1)'],
    ['a positional parameter for a named header', 'avviso_municipio', [municipioHeader(text('Centro')), municipioBody], 132012, 'header: the template uses named parameters'],
    ['a header text with a line break', 'avviso_municipio', [municipioHeader(text('Cen\ntro', 'municipio')), municipioBody], 132018, 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces'],
    ['a header over 60 characters', 'avviso_municipio', [municipioHeader(text('x'.repeat(43), 'municipio')), municipioBody], 132005, 'header: the text with its parameters is longer than 60 characters'],
    ['a body over 1,024 characters', 'chiusura_scuole', [body('x'.repeat(1000), 'b', 'c')], 132005, 'body: the text with its parameters is longer than 1024 characters'],
    ['the link suffix left out', 'allerta_meteo', [image(MAPPA), body('Maria', 'arancione')], 131008, 'buttons: Button at index 1 of type Url requires a parameter'],
    ['an empty link suffix', 'allerta_meteo', [image(MAPPA), body('Maria', 'arancione'), url('1', '')], 131008, 'buttons: Button at index 1 of type Url requires a parameter'],
    ['a suffix with a space', 'allerta_meteo', [image(MAPPA), body('Maria', 'arancione'), url('1', 'allerte/centro storico')], 132018, 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces'],
    ['the suffix sent to the phone button', 'allerta_meteo', [image(MAPPA), body('Maria', 'arancione'), url('0', 'x')], 132018, 'buttons: Button at index 0 must be of type PhoneNumber'],
    ['a button that is not there', 'allerta_meteo', [image(MAPPA), body('Maria', 'arancione'), url('5', 'x')], 131009, 'buttons: there is no button at index 5'],
    ['an index that is no number', 'allerta_meteo', [image(MAPPA), body('Maria', 'arancione'), url('uno', 'x')], 131009, 'buttons: there is no button at index uno'],
    ['the same button twice', 'allerta_meteo', [image(MAPPA), body('Maria', 'arancione'), url('1', 'x'), url('1', 'y')], 131009, 'buttons: more than one component for the button at index 1'],
    ['a suffix for a fixed link', 'conferma_iscrizione', [body('Maria', 'cantieri'), url('1', 'x')], 132000, 'button: number of localizable_params (1) does not match the expected number of params (0)'],
    ['an empty payload', 'conferma_iscrizione', [body('Maria', 'cantieri'), reply('0', ' ')], 131008, 'buttons: Button at index 0 of type QuickReply requires a payload'],
    ['a URL sub_type for a quick reply', 'conferma_iscrizione', [body('Maria', 'cantieri'), url('0', 'x')], 132018, 'buttons: Button at index 0 must be of type QuickReply'],
    ['a component of no known type', 'conferma_iscrizione', [body('Maria', 'cantieri'), { type: 'footer', parameters: [] }], 100, 'components: unknown component type footer'],
  ])('refuses %s (%i)', (_label, name, components, code, details) => {
    expect(send(name, components)).toMatchObject({ http: 400, code, details });
  });

  it('takes currency and date parameters in a body, as Meta does', () => {
    const components = [{ type: 'body', parameters: [text('a'), { type: 'currency', currency: { fallback_value: '€ 10', code: 'EUR', amount_1000: 10000 } }, { type: 'date_time', date_time: { fallback_value: '3 marzo' } }] }];
    expect(send('chiusura_scuole', components)).toMatchObject({ type: 'template' });
  });
});
