#!/usr/bin/env node
/**
 * The `vecmesh` command. One subcommand per file under `./commands/`.
 *
 * @example
 * ```sh
 * vecmesh node --port 0 --data-dir ./data
 * vecmesh reshard --from three.json --to four.json --checkpoint reshard.json
 * vecmesh --version
 * ```
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { nodeCommand } from './commands/node-command.js';
import { reshardCommand } from './commands/reshard-command.js';

// The package's own manifest, two folders up from both src/cli/ and dist/cli/.
const manifest = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

const program = new Command('vecmesh')
  .description('vecmesh: a client-side router for vector databases, and its reference node')
  .version(manifest.version, '-V, --version', 'print the vecmesh version')
  .showHelpAfterError()
  .addCommand(nodeCommand())
  .addCommand(reshardCommand());

await program.parseAsync(process.argv);
