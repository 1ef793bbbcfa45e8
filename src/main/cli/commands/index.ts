/** Every `wgt` command, by capability; a new capability adds its file and one line here. */
import { callsCommands } from './calls.js'
import { chatCommands } from './chat.js'
import type { CommandSpec } from './command.js'
import { computeCommands } from './compute.js'
import { daemonCommands } from './daemon.js'
import { filesCommands } from './files.js'
import { guardCommands } from './guard.js'
import { metricsCommands } from './metrics.js'
import { netCommands } from './net.js'
import { storageCommands } from './storage.js'
import { tokenCommands } from './token.js'

export const COMMANDS: readonly CommandSpec[] = [
  ...daemonCommands,
  ...netCommands,
  ...metricsCommands,
  ...filesCommands,
  ...guardCommands,
  ...chatCommands,
  ...callsCommands,
  ...computeCommands,
  ...storageCommands,
  ...tokenCommands
]
