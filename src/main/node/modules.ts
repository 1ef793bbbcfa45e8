/**
 * Every capability of the node, in the order they open and start (and the
 * reverse of the order they stop). A new capability is its folder plus one
 * line here. The order is what a module needs from those above it:
 * net opens first so every other module can plug its figures into the
 * peer directory; files comes after storage, settings and operations.
 */
import { callsModule } from './calls/module.js'
import { chatModule } from './chat/module.js'
import { computeModule } from './compute/module.js'
import { filesModule } from './files/module.js'
import { guardModule } from './guard/module.js'
import { metricsModule } from './metrics/module.js'
import type { NodeModule } from './module.js'
import { netModule } from './net/module.js'
import { operationsModule } from './operations/module.js'
import { settingsModule } from './settings/module.js'
import { storageModule } from './storage/module.js'

export const MODULES: readonly NodeModule[] = [
  netModule,
  guardModule,
  metricsModule,
  settingsModule,
  storageModule,
  operationsModule,
  filesModule,
  chatModule,
  callsModule,
  computeModule
]
