// Commands are registered by path ("keys init"), so command files can add subcommands to a shared
// group ("keys") without knowing about each other.
import type { Command } from 'commander';

const GROUP_SUMMARIES: Record<string, string> = {
  keys: 'manage the development key directory',
  bundle: 'build signed trust bundles for scanners',
  registry: 'work with the immunization registry',
};

export function commandAt(program: Command, path: string): Command {
  const names = path.split(' ');
  let parent = program;
  for (const name of names.slice(0, -1)) {
    let group = parent.commands.find((c) => c.name() === name);
    if (!group) {
      group = parent.command(name).summary(GROUP_SUMMARIES[name] ?? name).description(GROUP_SUMMARIES[name] ?? name);
    }
    parent = group;
  }
  return parent.command(names.at(-1)!);
}

/** "Examples:" block appended to a command's --help. */
export function withExamples(command: Command, examples: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}
