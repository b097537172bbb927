import { describe, expect, it } from 'vitest';
import { checkParamAnswer, rankTemplates } from '../../src/commands/compose-ask-whatsapp.js';
import { templateInfoOf } from '../../src/core/message/template-info.js';
import type { TopicId } from '../../src/core/topic.js';
import { sandboxTemplates } from '../support/sandbox-templates.js';

const templates = sandboxTemplates().map(templateInfoOf);
const avviso = templates.find((t) => t.name === 'avviso_cantieri')!;
const raccolta = templates.find((t) => t.name === 'raccolta_rifiuti')!;
const fields = new Set(['name', 'phone', 'email', 'municipio']);

describe('a template parameter typed in the compose wizard', () => {
  it.each([
    ['', 'WhatsApp refuses a parameter that is empty — type it again'],
    ['   ', 'WhatsApp refuses a parameter that is empty — type it again'],
    ['via\tNazionale', 'WhatsApp refuses a parameter that contains a tab — type it again'],
    ['via\nNazionale', 'WhatsApp refuses a parameter that contains a line break — type it again'],
    ['via     Nazionale', 'WhatsApp refuses a parameter that contains more than four spaces in a row — type it again'],
    ['{{cognome}}', 'unknown placeholder {{cognome}} — use nome, email, telefono or an attribute: municipio'],
    ['{{nome', 'a "{{" or "}}" that is not a placeholder — write {{nome}} or {{nome | "cittadina, cittadino"}}'],
    ['x'.repeat(1000), /^the filled template body has \d+ characters, over WhatsApp's limit of 1024 — make this parameter shorter$/],
  ])('%j is refused with the reason', (value, reason) => {
    const answer = checkParamAnswer(value, '3', avviso, { 1: 'Maria', 2: '2 dicembre' }, fields);
    if (typeof reason === 'string') expect(answer).toBe(reason);
    else expect(answer).toMatch(reason);
  });

  it.each(['via Nazionale', '  via    Nazionale  ', '{{municipio | "centro"}}', '{{nome}}'])('%j is taken', (value) => {
    expect(checkParamAnswer(value, '3', avviso, { 1: 'Maria', 2: '2 dicembre' }, fields)).toBe(true);
  });

  it('counts the answers before it in the length, by name for a named template', () => {
    const long = 'y'.repeat(500);
    expect(checkParamAnswer(long, 'giorno', raccolta, {}, fields)).toBe(true);
    expect(checkParamAnswer(long, 'materiale', raccolta, { nome: 'Maria', giorno: long }, fields)).toMatch(/over WhatsApp's limit of 1024/);
  });
});

describe('the templates the wizard offers', () => {
  it('offers only approved ones, those whose name recalls a chosen topic first', () => {
    expect(rankTemplates(templates, ['scuola' as TopicId]).map((t) => t.name)).toEqual(['chiusura_scuole', 'avviso_cantieri', 'raccolta_rifiuti', 'allerta_emergenza', 'conferma_iscrizione']);
    expect(rankTemplates(templates, ['raccolta-differenziata' as TopicId])[0]?.name).toBe('raccolta_rifiuti');
    expect(rankTemplates(templates, ['eventi' as TopicId]).map((t) => t.name)).not.toContain('evento_cittadino');
  });
});
