#!/usr/bin/env node
/**
 * The `vecmesh` command. One subcommand per file under `./commands/`.
 *
 * @example
 * ```sh
 * vecmesh node --port 0 --data-dir ./data
 * vecmesh reshard --from three.json --to four.json --checkpoint reshard.json
 * ```
 *
 * @module
 */
import { Command } from 'commander';
import { nodeCommand } from './commands/node-command.js';
import { reshardCommand } from './commands/reshard-command.js';

const program = new Command('vecmesh')
  .description('vecmesh: a client-side router for vector databases, and its reference node')
  .showHelpAfterError()
  .addCommand(nodeCommand())
  .addCommand(reshardCommand());

await program.parseAsync(process.argv);
