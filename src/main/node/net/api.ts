/**
 * The net slice of the API on the node's services. Arguments arrive already
 * validated by dispatch(); this layer checks what needs the node (is the peer
 * known, does the address parse, did the dial work) and turns every failure
 * into a WgtError with the right code.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr as parseMultiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { NodeIdentity, SliceApi, net } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import type { PeerDirectory } from './peer-directory.js'
import { parsePeerId } from './peer-id.js'
import type { ReachabilityTracker } from './reachability.js'

export interface NetApiParts {
  libp2p: Libp2p
  directory: PeerDirectory
  reachability: ReachabilityTracker
  ping: (peerId: string, count: number) => Promise<Array<number | null>>
  agent: string
  startedAt: number
  dialTimeoutMs?: number
}

export function identityOf (libp2p: Libp2p, agent: string, startedAt: number): NodeIdentity {
  return {
    peerId: libp2p.peerId.toString(),
    agent,
    multiaddrs: libp2p.getMultiaddrs().map(String),
    protocols: libp2p.getProtocols().sort(),
    startedAt
  }
}

export function netApi (parts: NetApiParts): SliceApi<typeof net> {
  const { libp2p, directory } = parts
  const dial = async (target: Multiaddr | ReturnType<typeof parsePeerId>, what: string): Promise<string> => {
    try {
      const conn = await libp2p.dial(target, { signal: AbortSignal.timeout(parts.dialTimeoutMs ?? 10_000) })
      return conn.remotePeer.toString()
    } catch (err) {
      if (err instanceof WgtError) throw err
      throw new WgtError('PEER_UNREACHABLE', `cannot connect to ${what}: ${(err as Error).message}`, { cause: err })
    }
  }
  return {
    getIdentity: async () => identityOf(libp2p, parts.agent, parts.startedAt),
    getReachability: async () => parts.reachability.current(),
    listPeers: async () => await directory.list(),
    getPeer: async (peerId) => await directory.get(peerId),
    connect: async (address) => {
      if (!address.startsWith('/')) {
        // a known peer by its PeerId: libp2p dials the addresses the peer store holds
        const id = parsePeerId(address)
        if (id.equals(libp2p.peerId)) throw new WgtError('INVALID_INPUT', 'that is this node itself')
        await directory.get(address)
        return await directory.get(await dial(id, address))
      }
      let ma: Multiaddr
      try {
        ma = parseMultiaddr(address)
      } catch (err) {
        throw new WgtError('INVALID_INPUT', `not a multiaddr: ${address} (${(err as Error).message})`)
      }
      const target = ma.getComponents().findLast(c => c.name === 'p2p')?.value
      if (target === libp2p.peerId.toString()) throw new WgtError('INVALID_INPUT', 'that address is this node itself')
      return await directory.get(await dial(ma, address))
    },
    disconnect: async (peerId) => {
      const id = parsePeerId(peerId)
      if (libp2p.getConnections(id).length === 0) throw new WgtError('NOT_FOUND', `not connected to ${peerId}`)
      await libp2p.hangUp(id)
    },
    ping: async (peerId, count) => {
      const id = parsePeerId(peerId)
      if (id.equals(libp2p.peerId)) throw new WgtError('INVALID_INPUT', 'cannot ping this node itself')
      return { peerId: id.toString(), rtts: await parts.ping(id.toString(), count) }
    }
  }
}
