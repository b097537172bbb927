/** A Graph template as the sandbox serves it (reference §1.4, 1.7): the shape of `message_templates` entries. */
export interface GraphTemplateRecord {
  readonly id: string;
  readonly name: string;
  readonly language: string;
  readonly status: string;
  readonly category: string;
  readonly parameter_format: 'POSITIONAL' | 'NAMED';
  readonly components: ReadonlyArray<Record<string, unknown>>;
}

const footer = { type: 'FOOTER', text: 'Comune di Esempio — messaggio automatico' };

/**
 * The templates a new sandbox account has: a few Italian civic notices, approved, plus a paused one; then (issue 16)
 * templates whose header or buttons take a value at each send — an image header and a link that ends with each
 * message's suffix, a text header with a variable, a document header, a quick reply — as Meta lists them.
 */
export const SANDBOX_TEMPLATES: readonly GraphTemplateRecord[] = [
  {
    id: '1000000000000001',
    name: 'avviso_cantieri',
    language: 'it',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Lavori stradali' },
      { type: 'BODY', text: 'Gentile {{1}}, dal {{2}} sono previsti lavori in {{3}}. Possibili disagi alla circolazione.' },
      footer,
    ],
  },
  {
    id: '1000000000000002',
    name: 'raccolta_rifiuti',
    language: 'it',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [
      { type: 'BODY', text: 'Ciao {{nome}}, {{giorno}} la raccolta di {{materiale}} nel tuo quartiere è spostata.' },
      footer,
    ],
  },
  {
    id: '1000000000000003',
    name: 'chiusura_scuole',
    language: 'it',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Avviso: {{1}} le scuole di {{2}} resteranno chiuse per {{3}}.' }, footer],
  },
  {
    id: '1000000000000004',
    name: 'allerta_emergenza',
    language: 'it',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Allerta di protezione civile' },
      { type: 'BODY', text: 'Allerta {{1}} dal {{2}}: {{3}}. Segui gli aggiornamenti sul sito del Comune.' },
      footer,
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Aggiornamenti', url: 'https://comune.example.it/allerte' }] },
    ],
  },
  {
    id: '1000000000000005',
    name: 'evento_cittadino',
    language: 'it',
    status: 'PAUSED',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Non perdere {{1}}, {{2}} in piazza!' }],
  },
  {
    id: '1000000000000006',
    name: 'allerta_meteo',
    language: 'it',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvcG5n:ARb-mappa-allerta'] } },
      { type: 'BODY', text: 'Gentile {{1}}, è in vigore un\'allerta meteo {{2}}. Nella mappa le zone a rischio: evitate sottopassi e argini.', example: { body_text: [['Maria', 'arancione']] } },
      footer,
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'PHONE_NUMBER', text: 'Protezione civile', phone_number: '+390600000000' },
          { type: 'URL', text: 'Mappa aggiornata', url: 'https://comune.example.it/{{1}}', example: ['https://comune.example.it/allerte/centro'] },
        ],
      },
    ],
  },
  {
    id: '1000000000000007',
    name: 'avviso_municipio',
    language: 'it',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Municipio {{municipio}}: avviso', example: { header_text_named_params: [{ param_name: 'municipio', example: 'Centro' }] } },
      { type: 'BODY', text: 'Ciao {{nome}}, {{avviso}}. Tutti i dettagli sul sito del Comune.' },
      footer,
    ],
  },
  {
    id: '1000000000000008',
    name: 'bando_pubblicato',
    language: 'it',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['4::YXBwbGljYXRpb24vcGRm:ARb-bando'] } },
      { type: 'BODY', text: 'È pubblicato il bando {{1}}: le domande entro il {{2}}. Il testo completo è nel documento.' },
      footer,
    ],
  },
  {
    id: '1000000000000009',
    name: 'conferma_iscrizione',
    language: 'it',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'BODY', text: 'Ciao {{1}}, da oggi ricevi qui gli avvisi del Comune su {{2}}. Per non riceverli più, tocca il pulsante.' },
      footer,
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Non più avvisi' },
          { type: 'URL', text: 'Il sito del Comune', url: 'https://comune.example.it/avvisi' },
        ],
      },
    ],
  },
];
