#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { isDimError } from '@dimkit/protocol';
import { registerChatCommand } from './chat-command.js';
import { registerContactsCommands } from './contacts-command.js';
import { registerDocCommands } from './document-command.js';
import { registerFilesCommands } from './files-command.js';
import { registerBotCommands } from './group-assistant-command.js';
import { registerGroupFileCommands } from './group-command.js';
import { registerIdCommands } from './identity-command.js';
import { registerIdTransferCommands } from './id-transfer-command.js';
import { registerListenCommand } from './listen-command.js';
import { registerMessageCommands } from './message-command.js';
import { registerSendCommand } from './send-command.js';
import { registerStationCommand } from './station-command.js';

export function buildProgram(): Command {
  const program = new Command('dim')
    .description('dimkit: the DIMP (Decentralized Instant Messaging Protocol) command line')
    .showHelpAfterError()
    .exitOverride();
  registerIdCommands(program);
  registerIdTransferCommands(program.commands.find((command) => command.name() === 'id')!);
  registerGroupFileCommands(program.command('group').description('groups'));
  registerBotCommands(program);
  registerDocCommands(program);
  registerMessageCommands(program);
  registerStationCommand(program);
  registerSendCommand(program);
  registerListenCommand(program);
  registerFilesCommands(program);
  registerChatCommand(program);
  registerContactsCommands(program);
  return program;
}

/** Runs `dim`; every failure ends as one line `dim: <reason>` on stderr and a non-zero exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const reason = isDimError(error) ? error.message : `internal error: ${(error as Error).message}`;
    process.stderr.write(`dim: ${reason.replace(/\s+/g, ' ')}\n`);
    process.exitCode = isDimError(error) ? 1 : 2;
  }
}

await main(process.argv);
