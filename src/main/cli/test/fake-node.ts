/**
 * A stand-in node API for the CLI and server tests: every method of the
 * node's API exists, records its calls, and answers INTERNAL 'not used in
 * this test' unless the test gives it a behaviour. Long work runs on the real
 * OperationRegistry, so operation ids, progress events and waits behave as
 * they do in a node.
 */
import { METHOD_NAMES, SESSION_METHODS, type NodeApi, type NodeMethods } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { EventHub } from '../../../shared/rpc.js'
import { OperationRegistry } from '../../node/operations/registry.js'

export interface FakeNode {
  api: NodeApi
  hub: EventHub
  operations: OperationRegistry
  calls: Array<{ method: string, args: unknown[] }>
  /** listeners currently subscribed through api.on */
  subscribers: () => number
}

export function fakeNode (behaviour: Partial<NodeMethods> = {}): FakeNode {
  const hub = new EventHub()
  const operations = new OperationRegistry(hub)
  const calls: FakeNode['calls'] = []
  let subscribed = 0
  const api: Record<string, unknown> = {
    on: (event: Parameters<EventHub['on']>[0], listener: (d: unknown) => void) => {
      subscribed++
      const off = hub.on(event, listener)
      return () => { subscribed--; off() }
    },
    listOperations: async () => operations.list(),
    waitOperation: async (id: string) => await operations.wait(id),
    cancelOperation: async (id: string) => { operations.cancel(id) }
  }
  for (const name of METHOD_NAMES) {
    if ((SESSION_METHODS as string[]).includes(name)) continue
    const given = (behaviour as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[name]
    const builtIn = api[name] as ((...a: unknown[]) => Promise<unknown>) | undefined
    api[name] = async (...args: unknown[]) => {
      calls.push({ method: name, args })
      if (given != null) return await given(...args)
      if (builtIn != null) return await builtIn(...args)
      throw new WgtError('INTERNAL', `${name} is not used in this test`)
    }
  }
  return { api: api as unknown as NodeApi, hub, operations, calls, subscribers: () => subscribed }
}
