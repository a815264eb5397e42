import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { isDimError } from '@dimkit/protocol';
import { documentTime, parseDocument, parseMeta, verifyDocument } from '@dimkit/protocol/mkm';
import { printJson, readJsonFile } from './_io.js';

/** Takes the field `name` of a file that holds an identity/group record, or the whole file. */
export function pick(json: unknown, name: string): unknown {
  if (typeof json === 'object' && json !== null && name in json) return (json as Record<string, unknown>)[name];
  return json;
}

export function registerDocCommands(program: Command): void {
  const doc = program.command('doc').description('documents (visa, bulletin, profile)');
  doc
    .command('verify')
    .description("verify a document's signature with its owner's meta; prints a JSON verdict")
    .requiredOption('--doc <file>', 'the document (or a file with a `visa`/`bulletin` field)')
    .requiredOption('--meta <file>', "the owner's meta (or a file with a `meta` field)")
    .action((options: { doc: string; meta: string }) => {
      const docJson = readJsonFile(options.doc, 'document');
      const metaJson = readJsonFile(options.meta, 'meta');
      try {
        const document = parseDocument(pick(pick(docJson, 'visa'), 'bulletin'));
        const meta = parseMeta(pick(metaJson, 'meta'), nodeBackend);
        const valid = verifyDocument(document, meta);
        printJson({ valid, type: document.type, did: document.did.text, time: documentTime(document) ?? null });
        if (!valid) process.exitCode = 1;
      } catch (error) {
        if (!isDimError(error)) throw error;
        printJson({ valid: false, error: error.code, reason: error.message });
        process.exitCode = 1;
      }
    });
}
