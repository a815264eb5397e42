import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError, isDimError } from '@dimkit/protocol';
import { createTextContent } from '@dimkit/protocol/content';
import { parseId } from '@dimkit/protocol/mkm';
import { Groups } from '../core/groups/index.js';
import { Messenger } from '../core/messenger.js';
import { DEFAULT_HOME, openProfile } from '../node/profile.js';
import { transportForUrl } from '../node/transport-for-url.js';
import { progressMode } from './files-command.js';
import { fileContentFromPath } from './files-send.js';

interface SendOptions {
  station: string;
  to: string;
  text?: string;
  file?: string;
  progress: string;
  me?: string;
  home: string;
  profile?: string;
  timeout: string;
}

function seconds(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 86_400) {
    throw new DimError('cli.usage', `${option} must be a number of seconds in (0, 86400], got "${text}"`);
  }
  return value;
}

/**
 * `dim send`: one text message through a station. Exits 0 once the station acknowledged it
 * (its receipt: delivered or cached), printing one JSON line; otherwise 1 with one line on stderr.
 * An unacknowledged message stays in the profile's outbox and goes with the next `dim` run.
 */
async function send(options: SendOptions): Promise<void> {
  if ((options.text === undefined) === (options.file === undefined)) {
    throw new DimError('cli.usage', 'give the message with --text TEXT or --file PATH (one of them)');
  }
  const timeoutMs = seconds(options.timeout, '--timeout') * 1000;
  const to = parseId(options.to);
  const transport = transportForUrl(options.station);
  const store = await openProfile({
    home: options.home,
    ...(options.me === undefined ? {} : { me: options.me }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  });
  const messenger = new Messenger({
    identity: store.identity,
    store,
    transport,
    backend: nodeBackend,
    agent: 'dim send',
    lookupTimeoutMs: timeoutMs,
  });
  // Group commands that arrive meanwhile are applied, not lost (docs/client.md, Groups).
  const groups = new Groups({ messenger, identity: store.identity, backend: nodeBackend });
  let lastProblem: string | undefined;
  messenger.on('state', (e) => {
    if (e.reason !== undefined) lastProblem = e.reason;
  });
  messenger.on('rejected', (e) => {
    if (e.code === 'handshake.invalid') lastProblem = e.reason;
  });
  try {
    await messenger.start();
    const content =
      options.file === undefined
        ? createTextContent(options.text!)
        : await fileContentFromPath({
            messenger,
            identity: store.identity,
            station: options.station,
            path: options.file,
            progress: progressMode(options.progress),
            timeoutMs,
          });
    const message = await messenger.send(to.text, content);
    try {
      const done = await messenger.waitForReceipt(message.id, timeoutMs);
      process.stdout.write(
        `${JSON.stringify({ id: done.id, to: to.text, signature: done.signature, state: done.state })}\n`,
      );
    } catch (error) {
      if (isDimError(error, 'client.timeout') && messenger.state !== 'running') {
        const why = lastProblem === undefined ? '' : ` (${lastProblem})`;
        throw new DimError(
          'client.timeout',
          `could not reach the station ${options.station}${why} within ${timeoutMs / 1000} s; the message stays in the outbox`,
        );
      }
      throw error;
    }
  } finally {
    await messenger.stop();
    await groups.idle();
    groups.close();
    await store.close();
  }
}

export function registerSendCommand(program: Command): void {
  program
    .command('send')
    .description('send a text or a file through a station; exits 0 once the station has acknowledged it')
    .requiredOption('--station <url>', 'the station: ws://host:port/ (WebSocket) or tcp://host:port (MTP)')
    .requiredOption('--to <id>', 'the receiver ID')
    .option('--text <text>', 'the text to send')
    .option('--file <path>', 'a file to send: encrypted, uploaded to the station, sent as a file/image content')
    .option('--progress <mode>', 'upload progress on stderr: auto (a bar on a terminal), bar, plain or none', 'auto')
    .option('--me <file>', 'an identity file (its profile in --home is created on first use)')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .option('--profile <id>', 'which profile of --home, when it holds several')
    .option('--timeout <seconds>', 'how long to wait for the station', '30')
    .action((options: SendOptions) => send(options));
}
