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

/** The templates a new sandbox account has: a few Italian civic notices, approved, plus a paused one. */
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
];
