/** The shape of a running node, as the daemon, the Electron main process and tests see it. */
import type { NodeApi } from '../../shared/api/index.js'
import type { NodeConfig } from './config.js'
import type { Part } from './module.js'

export interface WgtNode {
  readonly peerId: string
  readonly config: NodeConfig
  /** the implementation of the API (all but the transport's session slice); transports call it through dispatch(), which validates input */
  readonly api: NodeApi
  /** current listen addresses, each ending in /p2p/<peerId> */
  multiaddrs: () => string[]
  /** Prometheus text exposition of this node's metrics */
  prometheus: () => Promise<string>
  /** something a module provides (tests reach into a running node this way) */
  part: <T>(p: Part<T>) => T
  /** stop every module, timer, stream and the datastore; idempotent */
  stop: () => Promise<void>
}
