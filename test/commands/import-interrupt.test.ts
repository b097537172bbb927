import type { StoreData } from '../../src/core/store-data.js';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/commands/context.js';
import { parseSubscriberImport, runSubscriberImport } from '../../src/commands/subscribers/import.js';
import { StoreFile } from '../../src/adapters/store/store-file.js';
import type { Deps } from '../../src/deps.js';
import { fakeDeps } from '../support/fake-deps.js';
import { newHome } from '../support/home.js';

let home: string;
let dir: string;
beforeEach(async () => {
  home = await newHome();
  dir = dirname(home);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A Context whose Ctrl-C / SIGTERM is `interrupt`, resolved when the test says. */
function interruptible(deps: Deps, interrupt: Promise<void>, yes: boolean): Context {
  return new Context({ ...deps, untilInterrupted: () => interrupt }, { home, yes, quiet: false, color: false });
}

const stored = async () => ((await new StoreFile(join(home, 'db.json')).read()) as StoreData).subscribers;

describe('subscribers import: Ctrl-C and SIGTERM', () => {
  it('stops while the file is read: exit 130, nothing imported', async () => {
    const file = join(dir, 'iscritti.csv');
    await writeFile(file, 'nome,telefono\nAnna,+39 347 1234567\nBruno,+39 347 7654321\n');
    const { deps } = fakeDeps({ home });
    await expect(runSubscriberImport(parseSubscriberImport(file, {}), interruptible(deps, Promise.resolve(), true))).rejects.toMatchObject({
      code: 'IMPORT_INTERRUPTED',
      exit: 'interrupted',
      message: 'interrupted — nothing was imported, the store is as it was: run the same command again to import the file',
    });
    expect(await stored()).toEqual([]);
  });

  it('a signal while the confirmation is asked wins over the yes that follows: the store is not written', async () => {
    const file = join(dir, 'iscritti.csv');
    await writeFile(file, 'nome,telefono\nAnna,+39 347 1234567\n');
    let interrupt: () => void = () => undefined;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    const fake = fakeDeps({ home, tty: true });
    const deps: Deps = {
      ...fake.deps,
      prompter: {
        ...fake.deps.prompter,
        confirm: async () => {
          interrupt();
          await interrupted;
          return true;
        },
      },
    };
    await expect(runSubscriberImport(parseSubscriberImport(file, {}), interruptible(deps, interrupted, false))).rejects.toMatchObject({ code: 'IMPORT_INTERRUPTED' });
    expect(await stored()).toEqual([]);
  });
});
