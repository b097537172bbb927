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
