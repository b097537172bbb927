import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/cli.js';

const t = useTempHome();

describe('config set and URLs with a password', () => {
  it('never echoes the password of a URL it refuses, accepts, or lists', async () => {
    const refused = await t.cli('config', 'set', 'whatsapp.apiUrl', 'ftp://u:secret@x');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('whatsapp.apiUrl: "ftp://u:********@x" is not valid — expected a https: or http: URL');
    expect(refused.stderr).not.toContain('secret');

    const accepted = await t.cli('config', 'set', 'whatsapp.apiUrl', 'https://u:secret@graph.example.it');
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain('whatsapp.apiUrl = https://u:********@graph.example.it');
    const listed = await t.cli('config', 'list', '--json');
    const got = await t.cli('config', 'get', 'whatsapp.apiUrl');
    for (const out of [accepted.stdout + accepted.stderr, listed.stdout, got.stdout]) expect(out).not.toContain('secret');
    expect(got.stdout).toBe('https://u:********@graph.example.it\n');
  });
});
