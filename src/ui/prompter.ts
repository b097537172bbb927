import { CanaleError } from '../core/errors.js';

export interface Choice<T> {
  readonly name: string;
  readonly value: T;
  readonly description?: string;
  readonly checked?: boolean;
}

/** Asks a person. Only called when stdin and stderr are terminals; the questions go to stderr. */
export interface Prompter {
  confirm(message: string, defaultAnswer: boolean): Promise<boolean>;
  input(message: string, options?: { default?: string; validate?: (value: string) => true | string }): Promise<string>;
  checkbox<T>(message: string, choices: ReadonlyArray<Choice<T>>, validate?: (values: readonly T[]) => true | string): Promise<T[]>;
  select<T>(message: string, choices: ReadonlyArray<Choice<T>>): Promise<T>;
  /** Opens $VISUAL / $EDITOR on `initial` and returns the text saved. */
  editor(message: string, initial: string, validate?: (value: string) => true | string): Promise<string>;
}

/** @inquirer/prompts, loaded the first time a question is asked: most commands never ask one. */
const prompts = () => import('@inquirer/prompts');

/** What a person's Ctrl-C (or Escape-to-cancel) at a question is turned into: a cancel, exit 130, not a crash. */
export function cancelledAtPrompt(): CanaleError {
  return new CanaleError('PROMPT_CANCELLED', 'cancelled — nothing was done', { exit: 'interrupted' });
}

/**
 * Runs one question; inquirer's ExitPromptError (Ctrl-C, or the terminal closed) and AbortPromptError become
 * {@link cancelledAtPrompt}. Every question canale asks comes before the work it asks about, so nothing was done.
 */
async function ask<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch (error) {
    const name = (error as { name?: unknown } | undefined)?.name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') throw cancelledAtPrompt();
    throw error;
  }
}

/** The real prompts (@inquirer/prompts) on the given streams. */
export function inquirerPrompter(streams: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream }): Prompter {
  const context = { input: streams.input, output: streams.output };
  return {
    confirm: (message, defaultAnswer) => ask(async () => (await prompts()).confirm({ message, default: defaultAnswer }, context)),
    input: (message, options = {}) =>
      ask(async () => (await prompts()).input({ message, ...(options.default === undefined ? {} : { default: options.default }), ...(options.validate ? { validate: options.validate } : {}) }, context)),
    checkbox: (message, choices, validate) =>
      ask(async () => (await prompts()).checkbox(
        {
          message,
          choices: choices.map((c) => ({ name: c.name, value: c.value, checked: c.checked === true, ...(c.description ? { description: c.description } : {}) })),
          ...(validate ? { validate: (items: ReadonlyArray<{ value: (typeof choices)[number]['value'] }>) => validate(items.map((i) => i.value)) } : {}),
        },
        context,
      )),
    select: (message, choices) =>
      ask(async () => (await prompts()).select({ message, choices: choices.map((c) => ({ name: c.name, value: c.value, ...(c.description ? { description: c.description } : {}) })) }, context)),
    editor: (message, initial, validate) =>
      ask(async () => (await prompts()).editor({ message, default: initial, postfix: '.md', waitForUserInput: false, ...(validate ? { validate } : {}) }, context)),
  };
}
