/** What share, fetch, health and repair need from the node: passed in, so each part is testable on its own. */
import type { Logger } from '@libp2p/interface'
import type { NodeSettings } from '../../../shared/api/index.js'
import type { EventHub } from '../../../shared/rpc.js'
import type { ViolationReporter } from '../guard/reputation.js'
import type { Candidate } from '../net/selection.js'
import type { ShardStore } from '../storage/index.js'
import type { FreeBytes } from './disk-space.js'
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
  /** connected peers that take shards, with what placement ranks them by, as they are now */
  candidates: () => Promise<Candidate[]>
  /** RTT p50 in ms; Infinity when not measured */
  rtt: (peerId: string) => number
  reputation: ViolationReporter
  events: EventHub
  settings: () => NodeSettings
  log: Logger
  /** how long peers are asked to keep the shards we place (they may clamp it) */
  leaseMs: number
  /** free space where a fetch writes (statfs), checked before it starts */
  freeBytes: FreeBytes
}
