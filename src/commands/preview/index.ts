import type { Command } from 'commander';
import { collect, withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { parsePreview, previewMessage, type PreviewFlags, type PreviewOptions } from '../message-preview.js';

/** Shows what citizens will receive and, without --to, who will receive it; exit 1 when the send would be blocked. */
export async function runPreview(options: PreviewOptions, ctx: Context): Promise<number> {
  return (await previewMessage(options, ctx)).code;
}

export function registerPreview(program: Command, app: App): void {
  withExamples(
    program
      .command('preview')
      .argument('<file>', 'a message file (Markdown with front matter)')
      .description('show exactly what citizens will receive, and who will receive it')
      .option('--to <ref>', 'render for this subscriber (id, phone or e-mail)')
      .option('--channel <channel>', "whatsapp, email or all (default: each recipient's preferred channel)")
      .option('--topic <topic>', "add a topic to the message's own (repeatable)", collect)
      .option('--where <key=value>', 'only subscribers with this attribute (repeatable)', collect)
      .option('--html <file>', 'write the e-mail HTML to open in a browser (outside the home)')
      .option('--force', 'replace the --html file if it exists')
      .option('--json', 'print the summary and the rendered messages as JSON'),
    [
      'canale preview fixtures/messages/cantieri-via-nazionale.md',
      'canale preview lavori.md --to "333 123 4567" --channel all',
      'canale preview lavori.md --to maria@example.it --html anteprima.html',
    ],
  ).action(app.action(async (file: string, flags: PreviewFlags, ctx: Context) => runPreview(parsePreview(file, flags), ctx)));
}
