/** The operations capability: the registry of long work, and its API slice (list, wait, cancel). */
import type { SliceApi, operations } from '../../../shared/api/index.js'
import { part, type NodeModule } from '../module.js'
import { OperationRegistry } from './registry.js'

export const OPERATIONS = part<OperationRegistry>('operations.registry')

export const operationsModule: NodeModule = {
  name: 'operations',
  open: ctx => { ctx.provide(OPERATIONS, new OperationRegistry(ctx.events)) },
  start: ctx => {
    const registry = ctx.need(OPERATIONS)
    const api: SliceApi<typeof operations> = {
      listOperations: async () => registry.list(),
      waitOperation: async id => await registry.wait(id),
      cancelOperation: async id => { registry.cancel(id) }
    }
    return { api, stop: async () => { await registry.stop() } }
  }
}
