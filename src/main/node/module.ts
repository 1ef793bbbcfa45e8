/**
 * A node module: one capability's share of the node (DESIGN.md §1, §2).
 * createNode runs every module in MODULES through the same three steps:
 *
 *   open(ctx)     before libp2p exists: open what its services need (a store,
 *                 persisted settings) and provide it to later modules;
 *   libp2p(ctx)   the libp2p services it contributes (js-libp2p factories),
 *                 and optionally the traffic meter or a connection gater;
 *   start(ctx)    after libp2p started: its API slice, events and background work.
 *
 * and stops them in reverse order. Modules hand each other what they own
 * through typed parts (VS Code's service identifiers): `ctx.provide(PART, v)`
 * in one, `ctx.need(PART)` in a later one; a module that needs a part no
 * earlier module provided fails the node's start loudly.
 */
import type { ComponentLogger, Libp2p, Metrics, PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { NodeMethods } from '../../shared/api/index.js'
import { WgtError } from '../../shared/errors.js'
import type { EventHub } from '../../shared/rpc.js'
import type { NodeConfig } from './config.js'
import type { StreamScreen } from './wire/screen.js'

/** A typed key for something one module provides to the others. */
export interface Part<T> {
  readonly name: string
  /** never set: carries T */
  readonly __type?: T
}

export function part<T> (name: string): Part<T> {
  return { name }
}

export interface ModuleContext {
  readonly config: NodeConfig
  /** this node's PeerId, known from its identity before libp2p exists */
  readonly peerId: string
  /** this node's identity key (the mailbox derives its X25519 key from it) */
  readonly privateKey: PrivateKey
  readonly datastore: Datastore
  /** every API event goes out through here */
  readonly events: EventHub
  readonly logger: ComponentLogger
  provide: <T>(part: Part<T>, value: T) => void
  need: <T>(part: Part<T>) => T
}

export interface RunningContext extends ModuleContext {
  /** the started libp2p node, with every module's services */
  readonly libp2p: Libp2p<Record<string, unknown>>
  /** a libp2p service this or an earlier module contributed */
  service: <T>(name: string) => T
}

export type ServiceFactory = (components: any) => unknown

export interface Libp2pContribution {
  services?: Record<string, ServiceFactory>
  /** libp2p's metrics component (the traffic meter); one module at most */
  metrics?: (components: any) => Metrics
  /** peers refused on dial and on inbound connections */
  denyPeer?: (peerId: string) => boolean
  /** the screen in front of every inbound stream (wire/screen.ts); one module at most */
  screen?: StreamScreen
}

export interface ModuleInstance {
  /** the module's slice of the API */
  api?: Partial<NodeMethods>
  /** undo start: timers, listeners, running work (libp2p is still up) */
  stop?: () => Promise<void> | void
}

export interface NodeModule {
  readonly name: string
  /** returns what undoes it (runs after libp2p has stopped) */
  open?: (ctx: ModuleContext) => Promise<(() => Promise<void>) | void> | (() => Promise<void>) | void
  libp2p?: (ctx: ModuleContext) => Libp2pContribution
  start: (ctx: RunningContext) => Promise<ModuleInstance> | ModuleInstance
}

/** The parts modules have provided so far. */
export class Parts {
  private readonly values = new Map<string, unknown>()

  provide<T> (p: Part<T>, value: T): void {
    if (this.values.has(p.name)) throw new WgtError('INTERNAL', `two modules provide ${p.name}`)
    this.values.set(p.name, value)
  }

  need<T> (p: Part<T>): T {
    if (!this.values.has(p.name)) throw new WgtError('INTERNAL', `${p.name} is needed before any module provides it: check the order of MODULES`)
    return this.values.get(p.name) as T
  }
}
