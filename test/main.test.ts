import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../src/commands/app.js';
import { buildProgram, main } from '../src/main.js';
import { fakeDeps } from './support/fake-deps.js';
import { newHome } from './support/home.js';

let home: string;
beforeEach(async () => {
  home = await newHome();
});
afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

async function run(argv: string[], options: Parameters<typeof fakeDeps>[0] = {}) {
  const fake = fakeDeps({ home, ...options });
  const code = await main(argv, fake.deps);
  return { code, stdout: fake.stdout.text, stderr: fake.stderr.text };
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe('main', () => {
  it('every command has --help with examples', async () => {
    const program = await buildProgram(new App(fakeDeps().deps));
    const commands = allCommands(program);
    expect(commands.length).toBeGreaterThan(15);
    for (const command of commands) {
      let help = '';
      command.configureOutput({ writeOut: (t) => (help += t), writeErr: (t) => (help += t) });
      command.outputHelp();
      const examples = help.split('Examples:')[1] ?? '';
      expect(examples.match(/\$ canale/g)?.length ?? 0, `${command.name()} --help`).toBeGreaterThanOrEqual(1);
    }
  });

  it('prints help on stdout and exits 0', async () => {
    const result = await run(['subscribers', 'add', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: canale subscribers add [options]');
    expect(result.stdout).toContain('$ canale subscribers add --phone');
  });

  it('prints the version', async () => {
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: '0.0.0-test\n' });
  });

  it.each([
    [['subscribers', 'lst'], /unknown command 'lst'\n\(Did you mean list\?\)/],
    [['subscriber', 'list'], /unknown command 'subscriber'\n\(Did you mean subscribers\?\)/],
    [['subscribers', 'list', '--topc', 'x'], /unknown option '--topc'\n\(Did you mean --topic\?\)/],
    [['topics', 'add', 'verde'], /required option '--label <label>' not specified/],
    [['subscribers', 'show'], /missing required argument 'ref'/],
    [['subscribers'], /Usage: canale subscribers/],
    [['subscribers', 'list', '--status', 'gone'], /--status "gone" is not a status/],
  ])('%j is a usage error: exit 2', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('a user mistake is one line without a stack; CANALE_DEBUG=1 adds the stack', async () => {
    const plain = await run(['subscribers', 'show', 'nobody@example.it']);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split('\n').at(-1)).toMatch(/^error: no subscriber matches "nobody@example.it"/);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await run(['subscribers', 'show', 'nobody@example.it'], { env: { CANALE_DEBUG: '1' } });
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('an unexpected exception is reported as an internal error', async () => {
    const fake = fakeDeps({ home });
    const broken = { ...fake.deps, clock: { now: () => { throw new TypeError('clock exploded'); } } };
    const code = await main(['subscribers', 'add', '--phone', '3331234567', '--topics', 'scuola'], broken);
    expect(code).toBe(1);
    expect(fake.stderr.text).toMatch(/internal error: clock exploded — this is a bug in canale; run again with CANALE_DEBUG=1/);
  });

  it.each([
    ['ENOSPC', 'the disk holding HOME is full: free space and run the same command again'],
    ['EDQUOT', 'the disk holding HOME is full (your disk quota is used up): free space and run the same command again'],
    ['EROFS', 'the disk holding HOME is read-only: make it writable and run the same command again'],
    ['EIO', 'HOME could not be written (I/O error): check the disk, then run the same command again'],
  ])('%s thrown without a path (a write on an open file) is the disk error naming the home, never an internal error', async (code, message) => {
    const fake = fakeDeps({ home });
    const full = { ...fake.deps, clock: { now: () => { throw Object.assign(new Error(`${code}: write`), { code, syscall: 'write' }); } } };
    expect(await main(['subscribers', 'add', '--phone', '3331234567', '--topics', 'scuola'], full)).toBe(1);
    expect(fake.stderr.text.trim().split('\n').at(-1)).toBe(`error: ${message.replace('HOME', home)}`);
    expect(fake.stderr.text).not.toContain('internal error');
  });

  it('commands that override data need --yes off a terminal: exit 2', async () => {
    await run(['subscribers', 'add', '--phone', '3331234567', '--topics', 'eventi']);
    const result = await run(['topics', 'remove', 'scuola']);
    expect(result).toMatchObject({ code: 2 });
    expect(result.stderr).toMatch(/re-run with --yes/);
    expect((await run(['topics', 'remove', 'scuola', '--yes'])).code).toBe(0);
    expect((await run(['topics', 'remove', 'eventi', '--yes'])).stderr).toMatch(/1 subscriber follows topic "eventi" — .* --force/);
    expect((await run(['topics', 'remove', 'eventi', '--force', '--yes'])).code).toBe(0);
  });

  it('--quiet keeps data and drops the chatter', async () => {
    const result = await run(['--quiet', 'subscribers', 'add', '--phone', '3331234567', '--topics', 'eventi']);
    expect(result).toMatchObject({ code: 0, stdout: 'sub_0001\n', stderr: '' });
  });
});

describe('config', () => {
  it('lists settings with their source and secrets redacted', async () => {
    const result = await run(['config', 'list', '--json'], { env: { CANALE_WHATSAPP_TOKEN: 'EAAG-very-secret', CANALE_SMTP_URL: 'smtp://u:pw-secret@mail.example.it:587' } });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/very-secret|pw-secret/);
    const settings = JSON.parse(result.stdout) as Array<{ key: string; value: unknown; source: string }>;
    expect(settings).toContainEqual({ key: 'whatsapp.token', value: '********', source: 'env' });
    expect(settings).toContainEqual({ key: 'email.smtpUrl', value: 'smtp://u:********@mail.example.it:587', source: 'env' });
    expect(settings).toContainEqual({ key: 'country', value: 'IT', source: 'default' });
  });

  it('sets, gets and removes a setting, checking the value', async () => {
    expect((await run(['config', 'set', 'whatsapp.rate', '40'])).code).toBe(0);
    expect((await run(['config', 'get', 'whatsapp.rate'])).stdout).toBe('40\n');
    const bad = await run(['config', 'set', 'whatsapp.rate', 'fast']);
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toMatch(/whatsapp.rate: "fast" is not valid — expected a number greater than 0/);
    expect((await run(['config', 'get', 'colour'])).stderr).toMatch(/unknown setting "colour"/);
    await run(['config', 'set', 'whatsapp.rate', '']);
    expect((await run(['config', 'get', 'whatsapp.rate'])).stdout).toBe('80\n');
  });

  it('never prints a secret it was given', async () => {
    const set = await run(['config', 'set', 'whatsapp.token', 'EAAG-typed-secret']);
    expect(set.stderr).toMatch(/✓ whatsapp.token set \(hidden\)\n$/);
    expect(set.stderr).not.toContain('typed-secret');
    const got = await run(['config', 'get', 'whatsapp.token']);
    expect(got.stdout).toBe('********\n');
  });
});

describe('topics', () => {
  it('adds, renames and lists topics with follower counts', async () => {
    expect((await run(['topics', 'add', 'verde', '--label', 'Verde pubblico', '--description', 'Parchi e giardini'])).code).toBe(0);
    expect((await run(['topics', 'rename', 'verde', '--label', 'Verde e parchi'])).code).toBe(0);
    await run(['subscribers', 'add', '--email', 'a@example.it', '--topics', 'Verde e parchi']);
    const listed = JSON.parse((await run(['topics', 'list', '--json'])).stdout) as Array<{ id: string; label: string; subscribers: number }>;
    expect(listed.at(-1)).toEqual({ id: 'verde', label: 'Verde e parchi', description: 'Parchi e giardini', subscribers: 1 });
    expect((await run(['topics', 'add', 'Verde', '--label', 'x'])).stderr).toMatch(/"Verde" is not a valid topic id.*"verde"/);
  });

  it("adds a topic whose label or description WhatsApp's list cuts, and says how it shows them", async () => {
    const added = await run(['topics', 'add', 'tributi', '--label', 'Tributi e tasse comunali locali', '--description', `IMU, TARI e scadenze ${'di pagamento '.repeat(5)}`]);
    expect(added.code).toBe(0);
    expect(added.stderr).toMatch(/label is longer than 24 characters: WhatsApp's topic list shows "Tributi e tasse comunal…"/);
    expect(added.stderr).toMatch(/description is longer than 72 characters/);
    expect(added.stderr).toMatch(/canale topics rename tributi --label L --description D/);
    expect((await run(['topics', 'add', 'verde', '--label', 'Verde pubblico'])).stderr).not.toMatch(/longer than/);
  });
});
