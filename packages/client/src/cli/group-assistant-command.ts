import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { GroupAssistant } from '../bot/group-assistant.js';
import { DEFAULT_HOME } from '../node/profile.js';
import { transportForUrl } from '../node/transport-for-url.js';
import { openProfileFrom } from './_session.js';

interface AssistantOptions {
  station: string;
  me?: string;
  home: string;
  profile?: string;
}

function line(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * `dim bot group-assistant`: runs the group assistant (wire spec §4.8) on a profile until SIGINT or
 * SIGTERM, printing one JSON line per event. Name its ID in a group's bulletin (`dim group create
 * --assistant ID`) and members send it that group's messages to split.
 */
async function runAssistant(options: AssistantOptions): Promise<void> {
  const transport = transportForUrl(options.station);
  const store = await openProfileFrom(options);
  const bot = new GroupAssistant({
    identity: store.identity,
    store,
    transport,
    backend: nodeBackend,
    agent: 'dim bot group-assistant',
  });
  bot.messenger.on('state', (e) => line({ event: 'state', ...e }));
  bot.groups.on('group', (e) => line({ event: 'members', ...e }));
  bot.groups.on('refused', (e) => line({ event: 'refused', ...e }));
  bot.on('split', (e) => line({ event: 'split', ...e }));
  bot.on('relayed', (e) => line({ event: 'relayed', ...e }));
  bot.on('refused', (e) => line({ event: 'refused', ...e }));
  bot.on('error', (e) =>
    line({ event: 'error', context: e.context, reason: e.error instanceof Error ? e.error.message : String(e.error) }),
  );
  bot.messenger.on('rejected', (e) => line({ event: 'rejected', ...e }));
  try {
    await bot.start();
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  } finally {
    await bot.stop();
    await store.close();
  }
}

/** `dim bot …`: service bots. */
export function registerBotCommands(program: Command): void {
  const bot = program.command('bot').description('service bots');
  bot
    .command('group-assistant')
    .description('split and relay the messages of the groups whose bulletin names this identity (until interrupted)')
    .requiredOption('--station <url>', 'the station: ws://host:port/ (WebSocket) or tcp://host:port (MTP)')
    .option('--me <file>', 'the bot identity file (dim id new --entity bot --type mkm)')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .option('--profile <id>', 'which profile of --home, when it holds several')
    .action((options: AssistantOptions) => runAssistant(options));
}
