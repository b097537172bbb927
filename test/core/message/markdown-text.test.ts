import { describe, expect, it } from 'vitest';
import { markdownToPlainText, markdownToWhatsApp } from '../../../src/core/message/markdown-text.js';

describe('markdownToWhatsApp', () => {
  it.each([
    ['**bold**', '*bold*'],
    ['__bold__', '*bold*'],
    ['*italic* and _italic_', '_italic_ and _italic_'],
    ['~~strike~~', '~strike~'],
    ['`ZTL`', '```ZTL```'],
    ['***both***', '_*both*_'],
    ['[sito del Comune](https://comune.example.it)', 'sito del Comune (https://comune.example.it)'],
    ['<https://comune.example.it>', 'https://comune.example.it'],
    ['https://comune.example.it', 'https://comune.example.it'],
    ['# Avviso', '*Avviso*'],
    ['- via Milano\n- via Torino', '- via Milano\n- via Torino'],
    ['1. uno\n2. due', '1. uno\n2. due'],
    ['> nota bene', '> nota bene'],
    ['uno\n\n\n\ndue', 'uno\n\ndue'],
    ['riga  \nsotto', 'riga\nsotto'],
    ['A & B < C', 'A & B < C'],
    ['Ciao {{nome | "cittadina, cittadino"}}!', 'Ciao {{nome | "cittadina, cittadino"}}!'],
    ['dal **2 dicembre** via Nazionale è _chiusa_', 'dal *2 dicembre* via Nazionale è _chiusa_'],
    ['```\nblocco\n```', '```\nblocco\n```'],
    ['una frase\nche continua', 'una frase che continua'],
    ['[comune.example.it/cantieri](https://comune.example.it/cantieri)', 'https://comune.example.it/cantieri'],
    ['[scrivici](mailto:urp@comune.example.it)', 'scrivici (mailto:urp@comune.example.it)'],
  ])('%j → %j', (markdown, whatsapp) => {
    expect(markdownToWhatsApp(markdown)).toBe(whatsapp);
  });
});

describe('markdownToPlainText', () => {
  it.each([
    ['**bold** _it_ ~~x~~ `c`', 'bold it x c'],
    ['[sito](https://comune.example.it)', 'sito (https://comune.example.it)'],
    ['# Titolo\n\ntesto', 'Titolo\n\ntesto'],
  ])('%j → %j', (markdown, text) => {
    expect(markdownToPlainText(markdown)).toBe(text);
  });
});
