import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { createGroup, groupToJson, parseIdentity } from '@dimkit/protocol/account';
import { parseId } from '@dimkit/protocol/mkm';
import { printJson, readJsonFile, writeFileAtomic } from './_io.js';
import { pick } from './document-command.js';
import { registerGroupNetworkCommands } from './group-network-command.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerGroupFileCommands(group: Command): void {
  group
    .command('new')
    .description('create a group file ({id, meta, bulletin, founder, members}) signed by the founder')
    .requiredOption('--founder <file>', "the founder's identity file")
    .requiredOption('--name <name>', 'the group name (in the bulletin)')
    .option('--member <file>', 'a member (identity or contact file, or an ID); repeatable', collect, [])
    .option('--force', 'overwrite an existing file')
    .requiredOption('--out <file>', 'where to write the group file')
    .action((options: { founder: string; name: string; member: string[]; out: string; force?: boolean }) => {
      const founder = parseIdentity(readJsonFile(options.founder, 'founder identity'), nodeBackend);
      const members = options.member.map((member) =>
        member.endsWith('.json') ? parseId(pick(readJsonFile(member, 'member'), 'id')) : parseId(member),
      );
      const group = createGroup(founder, { name: options.name, members, backend: nodeBackend });
      writeFileAtomic(options.out, `${JSON.stringify(groupToJson(group), null, 2)}\n`, {
        force: options.force,
        mode: 0o644,
      });
      printJson({ id: group.id.text, members: group.members.map((m) => m.text), file: options.out });
    });
  registerGroupNetworkCommands(group);
}
