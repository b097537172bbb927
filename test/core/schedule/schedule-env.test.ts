import { describe, expect, it } from 'vitest';
import { parseScheduleEnv } from '../../../src/core/schedule/schedule-env.js';

describe('parseScheduleEnv: only what systemd and sh read alike', () => {
  it.each([
    ['CANALE_WHATSAPP_TOKEN=EAAG123abc', { CANALE_WHATSAPP_TOKEN: 'EAAG123abc' }],
    ['CANALE_SMTP_URL=smtps://avvisi:p%40ss@mail.example.it:465', { CANALE_SMTP_URL: 'smtps://avvisi:p%40ss@mail.example.it:465' }],
    ["CANALE_EMAIL_FROM='Comune di Esempio <avvisi@comune.example.it>'", { CANALE_EMAIL_FROM: 'Comune di Esempio <avvisi@comune.example.it>' }],
    ["  CANALE_WHATSAPP_PHONE_NUMBER_ID=1234  ", { CANALE_WHATSAPP_PHONE_NUMBER_ID: '1234' }],
    ["CANALE_UNSUBSCRIBE_SECRET='a$b`c~d'", { CANALE_UNSUBSCRIBE_SECRET: 'a$b`c~d' }],
    ['EMPTY=', { EMPTY: '' }],
    ['# a comment\n\n   # another', {}],
  ])('%j', (text, vars) => {
    expect(parseScheduleEnv(text)).toEqual({ vars, problems: [] });
  });

  it.each([
    ['export CANALE_WHATSAPP_TOKEN=x', /line 1: systemd does not read "export" — write CANALE_WHATSAPP_TOKEN=x/],
    ['CANALE_WHATSAPP_TOKEN = x', /line 1 is not NAME=value/],
    ['CANALE_SMTP_URL=smtp://u:pa$s@host', /line 1: the value of CANALE_SMTP_URL has characters sh and systemd read differently — write CANALE_SMTP_URL='…'/],
    ['CANALE_EMAIL_FROM=Comune di Esempio', /the value of CANALE_EMAIL_FROM/],
    ["CANALE_WHATSAPP_TOKEN='x' # note", /the value of CANALE_WHATSAPP_TOKEN/],
    ["CANALE_WHATSAPP_TOKEN=\"x\"", /the value of CANALE_WHATSAPP_TOKEN/],
    ['; a systemd comment', /line 1 is not NAME=value/],
    ['A=1\r\nB=2', /line 1 ends in a Windows line break/],
  ])('%j is named as a problem and left out', (text, problem) => {
    const parsed = parseScheduleEnv(text);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatch(problem);
    expect(Object.keys(parsed.vars).filter((k) => k !== 'B')).toEqual([]);
  });
});
