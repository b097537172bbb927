import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMessageFile, parseMessageFile } from '../../src/adapters/message/message-file.js';
import { frozenTemplateUseSchema } from '../../src/core/message/message-spec.js';

const file = (whatsapp: string) => `---\ntopics: [emergenze]\nwhatsapp:\n  template: allerta_meteo\n${whatsapp}\n---\nCiao.\n`;
const whatsappOf = (whatsapp: string) => parseMessageFile(file(whatsapp), 'x.md').whatsapp;

describe('a message file with a template header and buttons', () => {
  it.each<[string, string, unknown]>([
    ['a text header', '  header: ["{{municipio}}"]', { kind: 'text', params: ['{{municipio}}'] }],
    ['a number in a text header', '  header: [12]', { kind: 'text', params: ['12'] }],
    ['an image by link', '  header: { image: "https://comune.example.it/a.png" }', { kind: 'image', media: { link: 'https://comune.example.it/a.png' } }],
    ['an image by link, written as Meta does', '  header: { image: { link: "https://comune.example.it/a.png" } }', { kind: 'image', media: { link: 'https://comune.example.it/a.png' } }],
    ['an image by media id', '  header: { image: { id: "1479537139650973" } }', { kind: 'image', media: { id: '1479537139650973' } }],
    ['a video', '  header: { video: "https://comune.example.it/v.mp4" }', { kind: 'video', media: { link: 'https://comune.example.it/v.mp4' } }],
    ['a document with its name', '  header:\n    document: "https://comune.example.it/bando.pdf"\n    filename: bando.pdf', { kind: 'document', media: { link: 'https://comune.example.it/bando.pdf' }, filename: 'bando.pdf' }],
  ])('reads %s', (_label, yaml, header) => {
    expect(whatsappOf(yaml)).toEqual({ template: 'allerta_meteo', language: 'it', params: [], header });
  });

  it('reads the buttons that take a value, in order', () => {
    expect(whatsappOf('  buttons:\n    - url: "allerte/{{municipio}}"\n    - payload: STOP emergenze\n    - url: 2026')?.buttons).toEqual([{ url: 'allerte/{{municipio}}' }, { payload: 'STOP emergenze' }, { url: '2026' }]);
  });

  it('keeps a file without them exactly as before', () => {
    expect(whatsappOf('  params: ["a"]')).toEqual({ template: 'allerta_meteo', language: 'it', params: ['a'] });
  });

  it.each([
    ['an empty header list', '  header: []', /^x\.md:5: whatsapp\.header: list the header's parameter texts$/],
    ['a header that is a text', '  header: "{{municipio}}"', /^x\.md:5: whatsapp\.header: a text header's parameters as a list \(header: \["\{\{municipio\}\}"\]\), or a media header as \{ image: "https:\/\/…" \}/],
    ['two media at once', '  header: { image: "https://a.it/a.png", video: "https://a.it/v.mp4" }', /^x\.md:5: whatsapp\.header: give one of image, video or document/],
    ['no media at all', '  header: {}', /^x\.md:5: whatsapp\.header: give one of image, video or document/],
    ['a file name on an image', '  header:\n    image: "https://a.it/a.png"\n    filename: a.png', /^x\.md:7: whatsapp\.header\.filename: only a document header has a file name$/],
    ['an unknown media key', '  header:\n    image: "https://a.it/a.png"\n    caption: Mappa', /^x\.md:7: whatsapp\.header\.caption: unknown key "caption"$/],
    ['a media that is neither link nor id', '  header:\n    image: { url: "https://a.it/a.png" }', /^x\.md:6: whatsapp\.header\.image: must be a link \("https:\/\/…"\), or an uploaded media id/],
    ['an empty media id', '  header:\n    image: { id: "" }', /^x\.md:6: whatsapp\.header\.image: must be a link/],
    ['a button of no kind', '  buttons:\n    - link: "x"', /^x\.md:6: whatsapp\.buttons\.0: each button is \{ url: "…" \} \(the suffix of a URL button\) or \{ payload: "…" \}/],
    ['a button of both kinds', '  buttons:\n    - { url: "x", payload: "y" }', /^x\.md:6: whatsapp\.buttons\.0: each button is/],
    ['an empty button list', '  buttons: []', /^x\.md:5: whatsapp\.buttons: list one entry per button that takes a value, or leave buttons out$/],
  ])('refuses %s, naming the field and its line', (_label, yaml, message) => {
    expect(() => parseMessageFile(file(yaml), 'x.md')).toThrow(message);
  });
});

describe('the fixture that uses allerta_meteo', () => {
  it('loads, and is what a campaign freezes', async () => {
    const path = fileURLToPath(new URL('../../fixtures/messages/allerta-meteo-mappa.md', import.meta.url));
    const spec = await loadMessageFile(path);
    expect(spec.whatsapp).toEqual({
      template: 'allerta_meteo',
      language: 'it',
      header: { kind: 'image', media: { link: 'https://comune.example.it/mappe/allerta-arancione.png' } },
      params: ['{{nome | "cittadina, cittadino"}}', 'arancione'],
      buttons: [{ url: 'allerte/{{municipio | "centro"}}' }],
    });
    // what a campaign or a schedule writes to its file, read back
    expect(frozenTemplateUseSchema.parse(JSON.parse(JSON.stringify(spec.whatsapp)))).toEqual(spec.whatsapp);
    expect(await readFile(path, 'utf8')).toContain('template: allerta_meteo');
  });

  it('freezes a template use without header or buttons as before', () => {
    const old = { template: 'avviso_cantieri', language: 'it', params: ['a'] };
    expect(frozenTemplateUseSchema.parse(old)).toEqual(old);
    expect(frozenTemplateUseSchema.safeParse({ ...old, header: { kind: 'audio', media: { link: 'x' } } }).success).toBe(false);
  });
});
