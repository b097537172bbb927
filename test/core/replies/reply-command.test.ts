import { describe, expect, it } from 'vitest';
import { commandOf, parseReply } from '../../../src/core/replies/reply-command.js';

describe('parseReply: the keyword table, case- and accent-insensitive, Italian and English', () => {
  it.each([
    ['STOP', { kind: 'stop' }],
    ['stop', { kind: 'stop' }],
    ['  Stop!  ', { kind: 'stop' }],
    ['ANNULLA', { kind: 'stop' }],
    ['Cancella', { kind: 'stop' }],
    ['disiscrivimi', { kind: 'stop' }],
    ['Basta.', { kind: 'stop' }],
    ['unsubscribe', { kind: 'stop' }],
    ['STOP cantieri', { kind: 'leave', topic: 'cantieri' }],
    ['stop Raccolta Differenziata', { kind: 'leave', topic: 'raccolta differenziata' }],
    ['BASTA mobilità', { kind: 'leave', topic: 'mobilita' }],
    ['UNSUB:cantieri', { kind: 'leave', topic: 'cantieri' }],
    ['ISCRIVI scuola', { kind: 'join', topic: 'scuola' }],
    ['iscrivimi Mobilità', { kind: 'join', topic: 'mobilita' }],
    ['subscribe eventi', { kind: 'join', topic: 'eventi' }],
    ['ISCRIVI', { kind: 'join' }],
    ['ARGOMENTI', { kind: 'topics' }],
    ['temi', { kind: 'topics' }],
    ['Topics', { kind: 'topics' }],
    ['AIUTO', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['Àiuto', { kind: 'help' }],
    ['buongiorno, quando passa la raccolta?', { kind: 'unknown' }],
    ['', { kind: 'unknown' }],
    ['stopp', { kind: 'unknown' }],
    // as citizens write it: the words after a stop word are kept, and only the catalogue says if they are a topic
    ['Stop, grazie', { kind: 'leave', topic: 'grazie' }],
    ['stop promotions', { kind: 'leave', topic: 'promotions' }],
    ['basta così', { kind: 'leave', topic: 'cosi' }],
    ['STOP!!!', { kind: 'stop' }],
    ['Cancellami', { kind: 'stop' }],
    ['opt-out', { kind: 'stop' }],
    ['non voglio più messaggi', { kind: 'leave', topic: 'messaggi' }],
    ['Non voglio ricevere altro', { kind: 'leave', topic: 'altro' }],
    ['non mandatemi più niente', { kind: 'leave', topic: 'piu niente' }],
    ['Opt out', { kind: 'stop' }],
    ['no more messages please', { kind: 'leave', topic: 'messages please' }],
    ['non voglio', { kind: 'unknown' }],
    ['non capisco', { kind: 'unknown' }],
  ])('%j → %j', (text, expected) => {
    expect(parseReply(text)).toEqual(expected);
  });
});

describe('commandOf: the first reading that is a command', () => {
  it.each([
    [['UNSUB:cantieri', 'Non ricevere più'], { kind: 'leave', topic: 'cantieri' }],
    [['priority_express', 'Priority Mail Express'], { kind: 'unknown' }],
    [['x', 'STOP'], { kind: 'stop' }],
    [[], { kind: 'unknown' }],
  ])('%j → %j', (readings, expected) => {
    expect(commandOf(readings)).toEqual(expected);
  });
});

describe('CONFERMA <code>', () => {
  it('reads the code of a web sign-up, in any case and with the usual words', () => {
    expect(parseReply('CONFERMA 4821')).toEqual({ kind: 'confirm', code: '4821' });
    expect(parseReply('  conferma 4821! ')).toEqual({ kind: 'confirm', code: '4821' });
    expect(parseReply('Confermo 12345678')).toEqual({ kind: 'confirm', code: '12345678' });
  });
  it('is nothing without a code, with words instead, or with more after it', () => {
    expect(parseReply('CONFERMA')).toEqual({ kind: 'unknown' });
    expect(parseReply('conferma tutto')).toEqual({ kind: 'unknown' });
    expect(parseReply('conferma 4821 grazie')).toEqual({ kind: 'unknown' });
    expect(parseReply('conferma 12')).toEqual({ kind: 'unknown' });
  });
});

describe('commandOf: the ids of the rows and buttons canale sends', () => {
  it.each([
    [['topic:cantieri', 'Cantieri', 'Lavori stradali'], { kind: 'toggle', topic: 'cantieri' }],
    [['page:2', 'Altri argomenti'], { kind: 'topics', page: 2 }],
    [['stop', 'Annulla tutto'], { kind: 'stop' }],
    // a title that reads as a command does not win over the id
    [['topic:scuola', 'STOP'], { kind: 'toggle', topic: 'scuola' }],
    // not canale's shape: read as words
    [['topic:Non Valido!', 'Argomenti'], { kind: 'topics' }],
    [['page:0'], { kind: 'unknown' }],
  ])('%j is %j', (readings, command) => {
    expect(commandOf(readings)).toEqual(command);
  });
});
