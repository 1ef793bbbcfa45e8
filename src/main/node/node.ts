/** The shape of a running node, as the daemon, the Electron main process and tests see it. */
import type { WgtApi } from '../../shared/api.js'
import type { NodeConfig } from './config.js'

export interface WgtNode {
  readonly peerId: string
  readonly config: NodeConfig
  /** the implementation of the shared API; transports call it through shared/api dispatch(), which validates input */
  readonly api: WgtApi
  /** current listen addresses, each ending in /p2p/<peerId> */
  multiaddrs: () => string[]
  /** Prometheus text exposition of this node's metrics */
  prometheus: () => Promise<string>
  /** stop every service, timer, stream and the datastore; idempotent */
  stop: () => Promise<void>
}
