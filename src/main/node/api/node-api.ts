/**
 * The implementation of src/shared's WgtApi on top of the node's services.
 * Arguments arrive already validated by dispatch(); this layer checks what
 * needs the node (is the peer known, does the address parse, did the dial work)
 * and turns every failure into a WgtError with the right code.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr as parseMultiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { WgtApi, WgtEventMap, WgtEventName, WgtMethods } from '../../../shared/api.js'
import { WgtError } from '../../../shared/errors.js'
import type { EventHub } from '../../../shared/rpc.js'
import type {
  FetchResult, FileEntry, FileHealth, MetricsHistory, MetricsSnapshot, NodeIdentity, PeerEntry, PingResult, Reachability,
  RepairResult, ShareOptions, ShareResult, StorageInfo
} from '../../../shared/types.js'
import { parsePeerId, type PeerDirectory } from '../net/peer-directory.js'
import type { ReachabilityTracker } from '../net/reachability.js'

/** The file methods of the API, implemented by the files service. */
export type FileMethods = Pick<WgtMethods, 'shareFile' | 'fetchFile' | 'listFiles' | 'fileHealth' | 'repairFile' | 'offerFile' | 'getStorage' | 'setStorageQuota'>

export interface NodeApiParts {
  files: FileMethods
  libp2p: Libp2p
  directory: PeerDirectory
  reachability: ReachabilityTracker
  hub: EventHub
  ping: (peerId: string, count: number) => Promise<Array<number | null>>
  snapshot: () => MetricsSnapshot
  history: () => MetricsHistory
  agent: string
  startedAt: number
  dialTimeoutMs?: number
}

export class NodeApi implements WgtApi {
  constructor (private readonly parts: NodeApiParts) {}

  on<E extends WgtEventName> (event: E, listener: (data: WgtEventMap[E]) => void): () => void {
    return this.parts.hub.on(event, listener)
  }

  async getIdentity (): Promise<NodeIdentity> {
    const { libp2p, agent, startedAt } = this.parts
    return {
      peerId: libp2p.peerId.toString(),
      agent,
      multiaddrs: libp2p.getMultiaddrs().map(String),
      protocols: libp2p.getProtocols().sort(),
      startedAt
    }
  }

  async getReachability (): Promise<Reachability> {
    return this.parts.reachability.current()
  }

  async listPeers (): Promise<PeerEntry[]> {
    return await this.parts.directory.list()
  }

  async getPeer (peerId: string): Promise<PeerEntry> {
    return await this.parts.directory.get(peerId)
  }

  async connect (address: string): Promise<PeerEntry> {
    let ma: Multiaddr
    try {
      ma = parseMultiaddr(address)
    } catch (err) {
      throw new WgtError('INVALID_INPUT', `not a multiaddr: ${address} (${(err as Error).message})`)
    }
    const target = ma.getComponents().findLast(c => c.name === 'p2p')?.value
    if (target === this.parts.libp2p.peerId.toString()) throw new WgtError('INVALID_INPUT', 'that address is this node itself')
    try {
      const conn = await this.parts.libp2p.dial(ma, { signal: AbortSignal.timeout(this.parts.dialTimeoutMs ?? 10_000) })
      return await this.parts.directory.get(conn.remotePeer.toString())
    } catch (err) {
      if (err instanceof WgtError) throw err
      throw new WgtError('PEER_UNREACHABLE', `cannot connect to ${address}: ${(err as Error).message}`, { cause: err })
    }
  }

  async disconnect (peerId: string): Promise<void> {
    const id = parsePeerId(peerId)
    if (this.parts.libp2p.getConnections(id).length === 0) throw new WgtError('NOT_FOUND', `not connected to ${peerId}`)
    await this.parts.libp2p.hangUp(id)
  }

  async ping (peerId: string, count: number): Promise<PingResult> {
    const id = parsePeerId(peerId)
    if (id.equals(this.parts.libp2p.peerId)) throw new WgtError('INVALID_INPUT', 'cannot ping this node itself')
    return { peerId: id.toString(), rtts: await this.parts.ping(id.toString(), count) }
  }

  async getMetrics (): Promise<MetricsSnapshot> {
    return this.parts.snapshot()
  }

  async getHistory (): Promise<MetricsHistory> {
    return this.parts.history()
  }

  async shareFile (path: string, options?: ShareOptions): Promise<ShareResult> {
    return await this.parts.files.shareFile(path, options)
  }

  async fetchFile (link: string, outPath?: string): Promise<FetchResult> {
    return await this.parts.files.fetchFile(link, outPath)
  }

  async listFiles (): Promise<FileEntry[]> {
    return await this.parts.files.listFiles()
  }

  async fileHealth (idOrLink: string): Promise<FileHealth> {
    return await this.parts.files.fileHealth(idOrLink)
  }

  async repairFile (idOrLink: string): Promise<RepairResult> {
    return await this.parts.files.repairFile(idOrLink)
  }

  async offerFile (peerId: string, link: string): Promise<void> {
    await this.parts.files.offerFile(peerId, link)
  }

  async getStorage (): Promise<StorageInfo> {
    return await this.parts.files.getStorage()
  }

  async setStorageQuota (bytes: number): Promise<StorageInfo> {
    return await this.parts.files.setStorageQuota(bytes)
  }
}
