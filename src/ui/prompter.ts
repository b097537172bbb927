
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

/** The real prompts (@inquirer/prompts) on the given streams. */
export function inquirerPrompter(streams: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream }): Prompter {
  const context = { input: streams.input, output: streams.output };
  return {
    confirm: async (message, defaultAnswer) => (await prompts()).confirm({ message, default: defaultAnswer }, context),
    input: async (message, options = {}) =>
      (await prompts()).input({ message, ...(options.default === undefined ? {} : { default: options.default }), ...(options.validate ? { validate: options.validate } : {}) }, context),
    checkbox: async (message, choices, validate) =>
      (await prompts()).checkbox(
        {
          message,
          choices: choices.map((c) => ({ name: c.name, value: c.value, checked: c.checked === true, ...(c.description ? { description: c.description } : {}) })),
          ...(validate ? { validate: (items: ReadonlyArray<{ value: (typeof choices)[number]['value'] }>) => validate(items.map((i) => i.value)) } : {}),
        },
        context,
      ),
    select: async (message, choices) =>
      (await prompts()).select({ message, choices: choices.map((c) => ({ name: c.name, value: c.value, ...(c.description ? { description: c.description } : {}) })) }, context),
    editor: async (message, initial, validate) =>
      (await prompts()).editor({ message, default: initial, postfix: '.md', waitForUserInput: false, ...(validate ? { validate } : {}) }, context),
  };
}
