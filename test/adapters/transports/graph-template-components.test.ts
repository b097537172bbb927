import { describe, expect, it } from 'vitest';
import { graphMessageBody } from '../../../src/adapters/transports/cloud-api/graph-message.js';
import { templateFromGraph } from '../../../src/adapters/transports/cloud-api/graph-templates.js';
import type { E164 } from '../../../src/core/phone.js';
import { validateStore, emptyStore } from '../../../src/adapters/store/store-schema.js';
import type { WhatsAppContent, WhatsAppEnvelope } from '../../../src/core/transport.js';

// A template as Meta's `GET /{WABA-ID}/message_templates` lists it (fields=…,components): an image header, a body,
// a footer, and a phone, a dynamic link, a quick reply and a copy-code button.
const graph = {
  id: '778510',
  name: 'allerta_meteo',
  language: 'it',
  status: 'APPROVED',
  category: 'UTILITY',
  parameter_format: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1h'] } },
    { type: 'BODY', text: 'Allerta {{1}} per {{2}}.', example: { body_text: [['arancione', 'oggi']] } },
    { type: 'FOOTER', text: 'Comune di Esempio' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'PHONE_NUMBER', text: 'Chiama', phone_number: '+390600000000' },
        { type: 'URL', text: 'Mappa', url: 'https://comune.example.it/{{1}}', example: ['https://comune.example.it/allerte'] },
        { type: 'QUICK_REPLY', text: 'Non più' },
        { type: 'copy_code', text: 'Copia', example: 'CODICE' },
      ],
    },
  ],
};

describe('templates sync keeps every component', () => {
  it('the header format, body, footer and each button with its type, label, link or number and variables', () => {
    expect(templateFromGraph(graph)).toEqual({
      id: '778510',
      name: 'allerta_meteo',
      language: 'it',
      category: 'UTILITY',
      status: 'APPROVED',
      parameterFormat: 'positional',
      parameters: ['1', '2'],
      headerParameters: [],
      texts: { headerFormat: 'IMAGE', body: 'Allerta {{1}} per {{2}}.', footer: 'Comune di Esempio', buttons: ['Chiama', 'Mappa', 'Non più', 'Copia'] },
      buttons: [
        { type: 'PHONE_NUMBER', text: 'Chiama', phoneNumber: '+390600000000', parameters: [] },
        { type: 'URL', text: 'Mappa', url: 'https://comune.example.it/{{1}}', parameters: ['1'] },
        { type: 'QUICK_REPLY', text: 'Non più', parameters: [] },
        { type: 'COPY_CODE', text: 'Copia', parameters: [] },
      ],
    });
  });

  it('a text header’s variable, named or positional', () => {
    const named = templateFromGraph({ ...graph, parameter_format: 'NAMED', components: [{ type: 'HEADER', format: 'TEXT', text: 'Municipio {{municipio}}' }, { type: 'BODY', text: 'Ciao {{nome}}' }] });
    expect(named).toMatchObject({ parameterFormat: 'named', headerParameters: ['municipio'], parameters: ['nome'], texts: { header: 'Municipio {{municipio}}', headerFormat: 'TEXT' }, buttons: [] });
  });

  it('survives buttons Graph sends in a shape it should not', () => {
    const odd = templateFromGraph({ ...graph, components: [{ type: 'BODY', text: 'x' }, { type: 'BUTTONS', buttons: [null, { type: 7, text: ['a'] }] as never }] });
    expect(odd?.buttons).toEqual([{ type: '', text: '', parameters: [] }]);
  });

  it('is stored and read back, and a store written before it still loads', () => {
    const synced = { ...templateFromGraph(graph), syncedAt: '2026-11-28T09:00:00.000Z' };
    expect(validateStore(JSON.parse(JSON.stringify({ ...emptyStore(), templates: [synced] })), 'db.json').templates).toEqual([synced]);
    const { headerParameters: _h, buttons: _b, ...before } = synced;
    expect(validateStore(JSON.parse(JSON.stringify({ ...emptyStore(), templates: [before] })), 'db.json').templates).toEqual([before]);
    expect(() => validateStore({ ...emptyStore(), templates: [{ ...synced, buttons: [{ type: 'URL', text: 'x' }] }] }, 'db.json')).toThrow(/templates\[0\]\.buttons\.0\.parameters/);
  });
});

const envelope = (content: WhatsAppContent): WhatsAppEnvelope => ({ channel: 'whatsapp', to: '+393331234567' as E164, campaignId: 'cmp_1', recipientKey: 'sub_1', content });
const componentsOf = (content: WhatsAppContent) => (graphMessageBody(envelope(content)).template as { components?: unknown }).components;
const body = { format: 'positional', values: ['arancione', 'oggi'] } as const;

describe('graphMessageBody builds the components as Meta documents them', () => {
  it('header, body, then each button with its sub_type and its index as a string', () => {
    const content: WhatsAppContent = {
      kind: 'template',
      name: 'allerta_meteo',
      language: 'it',
      header: { kind: 'image', media: { link: 'https://comune.example.it/a.png' } },
      parameters: body,
      buttons: [
        { kind: 'url', index: 1, suffix: 'allerte/centro' },
        { kind: 'quick-reply', index: 2, payload: 'STOP emergenze' },
      ],
    };
    expect(componentsOf(content)).toEqual([
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://comune.example.it/a.png' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'arancione' }, { type: 'text', text: 'oggi' }] },
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'allerte/centro' }] },
      { type: 'button', sub_type: 'quick_reply', index: '2', parameters: [{ type: 'payload', payload: 'STOP emergenze' }] },
    ]);
  });

  it.each<[string, NonNullable<Extract<WhatsAppContent, { kind: 'template' }>['header']>, unknown]>([
    ['a positional text header', { kind: 'text', parameters: { format: 'positional', values: ['Centro'] } }, [{ type: 'text', text: 'Centro' }]],
    ['a named text header', { kind: 'text', parameters: { format: 'named', values: { municipio: 'Centro' } } }, [{ type: 'text', parameter_name: 'municipio', text: 'Centro' }]],
    ['an image by id', { kind: 'image', media: { id: '1479537139650973' } }, [{ type: 'image', image: { id: '1479537139650973' } }]],
    ['a video by link', { kind: 'video', media: { link: 'https://a.it/v.mp4' } }, [{ type: 'video', video: { link: 'https://a.it/v.mp4' } }]],
    ['a document with its name', { kind: 'document', media: { link: 'https://a.it/b.pdf' }, filename: 'bando.pdf' }, [{ type: 'document', document: { link: 'https://a.it/b.pdf', filename: 'bando.pdf' } }]],
    ['a document by id without a name', { kind: 'document', media: { id: '88' } }, [{ type: 'document', document: { id: '88' } }]],
  ])('%s', (_label, header, parameters) => {
    expect(componentsOf({ kind: 'template', name: 't', language: 'it', header, parameters: { format: 'positional', values: [] } })).toEqual([{ type: 'header', parameters }]);
  });

  it('sends only the components that have something to send', () => {
    expect(componentsOf({ kind: 'template', name: 't', language: 'it', parameters: { format: 'positional', values: [] }, buttons: [{ kind: 'url', index: 0, suffix: 'x' }] })).toEqual([
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'x' }] },
    ]);
    expect(componentsOf({ kind: 'template', name: 't', language: 'it', parameters: { format: 'positional', values: [] } })).toBeUndefined();
  });
});
