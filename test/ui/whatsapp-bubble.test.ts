import { Chalk } from 'chalk';
import stringWidth from 'string-width';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bubbleLines, drawBubble } from '../../src/ui/whatsapp-bubble.js';

const colour = new Chalk({ level: 1 });
const plain = new Chalk({ level: 0 });
const visible = (row: string) => stripVTControlCharacters(row);

/** Each row of the bubble as the terminal shows it: its width in columns. */
const rowWidths = (bubble: string) => bubble.split('\n').slice(0, -1).map((row) => stringWidth(visible(row)));

describe('the WhatsApp bubble', () => {
  it.each([
    ['bold', 'Dal *2 dicembre* via Nazionale è chiusa tra piazza della Repubblica e via Milano, per *lavori urgenti*.'],
    ['italic', 'Dal _2 dicembre_ via Nazionale è _chiusa al traffico_ tra piazza della Repubblica e via Milano.'],
    ['strike', 'La raccolta di ~lunedì~ martedì è spostata: ~carta~ plastica e vetro insieme, come sempre.'],
    ['monospace', 'Il codice della pratica è ```CANT-2026-118``` e la scadenza è il ```30/11```, ufficio tecnico.'],
    ['nested', 'Avviso *_molto importante_* per tutti i residenti di *via ~Roma~ Milano*, leggete con attenzione.'],
    ['emoji', '⚠️ Allerta meteo 🌧️🌧️ dalle 14: scuole chiuse 🏫, restate a casa 🏠 e seguite il sito 👨‍👩‍👧 del Comune.'],
    ['wide characters', '市役所からのお知らせ：明日は道路工事のため通行止めです。ご協力をお願いします。よろしく。'],
    ['line breaks', 'Ciao *Maria*,\n\ndal _2 dicembre_ via Nazionale è chiusa.\n\n```Ufficio tecnico```'],
  ])('keeps every row the same width with %s', (_label, text) => {
    for (const color of [colour, plain]) {
      for (const columns of [40, 80, 100]) {
        const widths = rowWidths(drawBubble(text, `${text.length} characters · free text`, { color, columns }));
        expect(new Set(widths).size, `${columns} columns: ${widths.join(' ')}`).toBe(1);
        expect(widths[0]).toBeLessThanOrEqual(Math.min(columns, 80));
      }
    }
  });

  it('removes the markers it renders and measures the text without them', () => {
    const lines = bubbleLines('Dal *2 dicembre* via _Nazionale_, ~lunedì~ ```10:00```', 60, colour);
    expect(lines).toHaveLength(1);
    expect(visible(lines[0]!.text)).toBe('Dal 2 dicembre via Nazionale, lunedì 10:00');
    expect(lines[0]!.width).toBe('Dal 2 dicembre via Nazionale, lunedì 10:00'.length);
    expect(lines[0]!.text).toContain(colour.bold('2 dicembre'));
    expect(lines[0]!.text).toContain(colour.italic('Nazionale'));
    expect(lines[0]!.text).toContain(colour.strikethrough('lunedì'));
    expect(lines[0]!.text).toContain(colour.cyan('10:00'));
  });

  it('keeps the markers without colour, where they are all that shows the emphasis', () => {
    const lines = bubbleLines('Dal *2 dicembre* via _Nazionale_', 60, plain);
    expect(lines).toEqual([{ text: 'Dal *2 dicembre* via _Nazionale_', width: 32 }]);
  });

  it('wraps on the rendered width: a line of bold text fills the bubble as the phone shows it', () => {
    const words = Array.from({ length: 12 }, (_v, i) => `*parola${i}*`).join(' ');
    const lines = bubbleLines(words, 30, colour);
    for (const line of lines) expect(stringWidth(visible(line.text))).toBe(line.width);
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(30);
    // without the markers, three 7-letter words and two spaces fit in 30 columns (with them only two would)
    expect(visible(lines[0]!.text)).toBe('parola0 parola1 parola2');
  });

  it('counts emoji and East Asian characters as two columns, and cuts a word longer than the bubble', () => {
    expect(bubbleLines('🌧️🏫', 20, colour)[0]!.width).toBe(4);
    expect(bubbleLines('市役所', 20, colour)[0]!.width).toBe(6);
    const cut = bubbleLines('x'.repeat(45), 20, colour);
    expect(cut.map((l) => l.width)).toEqual([20, 20, 5]);
  });

  it('formats nothing inside monospace', () => {
    const [line] = bubbleLines('```a *b* c```', 40, colour);
    expect(visible(line!.text)).toBe('a *b* c');
  });

  it('draws a template’s header above the body, its footer under it and its buttons as rows, every row as wide', () => {
    const parts = {
      header: '[immagine] https://comune.example.it/mappe/allerta-arancione-con-un-nome-molto-lungo.png',
      footer: 'Comune di Esempio — messaggio automatico',
      buttons: [{ label: '☎ Protezione civile', detail: '+390600000000' }, { label: '↗ Mappa aggiornata', detail: 'https://comune.example.it/allerte/Centro%20Storico' }],
    };
    for (const color of [colour, plain]) {
      for (const columns of [40, 80, 100]) {
        const bubble = drawBubble('Gentile *Maria*, allerta meteo arancione.', '42 characters · template allerta_meteo (it)', { color, columns, parts });
        const widths = rowWidths(bubble);
        expect(new Set(widths).size, `${columns} columns: ${widths.join(' ')}`).toBe(1);
        const rows = bubble.split('\n').map((r) => visible(r).trim());
        expect(rows.filter((r) => r.startsWith('├'))).toHaveLength(2);
        expect(rows.findIndex((r) => r.includes('[immagine]'))).toBe(1);
        expect(rows.findIndex((r) => r.includes('Comune di Esempio'))).toBeLessThan(rows.findIndex((r) => r.startsWith('├')));
      }
    }
    const [label] = drawBubble('x', 'c', { color: plain, columns: 80, parts: { buttons: [{ label: 'Sì' }] } }).split('\n').filter((r) => r.includes('Sì'));
    // centred: as many blanks on each side, give or take one
    const inside = visible(label ?? '').trim().slice(1, -1);
    expect(Math.abs(inside.indexOf('Sì') - (inside.length - inside.indexOf('Sì') - 2))).toBeLessThanOrEqual(1);
  });
});
