/** What share, fetch, health and repair need from the node: passed in, so each part is testable on its own. */
import type { Logger } from '@libp2p/interface'
import type { EventHub } from '../../../shared/rpc.js'
import type { PeerEntry } from '../../../shared/types.js'
import type { ViolationReporter } from '../guard/reputation.js'
import type { ShardStore } from '../storage/index.js'
import type { Announcer, Locator } from './locate.js'
import type { FileRecords } from './records.js'
import type { ShardService } from './shard-service.js'

export interface FilesContext {
  self: string
  shards: ShardService
  store: ShardStore
  locator: Locator
  announcer: Announcer
  records: FileRecords
  /** every known peer, as the directory sees it now */
  peers: () => Promise<PeerEntry[]>
  /** RTT p50 in ms; Infinity when not measured */
  rtt: (peerId: string) => number
  reputation: ViolationReporter
  hub: EventHub
  downloadDir: () => string
  log: Logger
  /** how long peers are asked to keep the shards we place (they may clamp it) */
  leaseMs: number
}
