/**
 * The mailbox as the chat core uses it: leave() seals a message to a
 * recipient that is away and leaves it with a few connected peers; collect()
 * asks the connected peers for messages sealed to us and takes them away.
 * The plaintext is opaque here: the chat core frames and dedupes messages.
 *
 * Holders are chosen among the peers connected now that speak the protocol
 * (identify told the peer store), contacts first: they are the likeliest to
 * be online again when the recipient is, and their policy is likeliest to
 * let us deposit. The same sealed bytes go to every holder, so the recipient
 * sees one item id however many holders answer.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { WgtError } from '../../../../shared/errors.js'
import { anySignal } from '../../wire/index.js'
import { MAILBOX_PROTOCOL, MAX_FETCH_TAGS, MailboxReply, type MailboxRef, type MailboxService } from './mailbox-service.js'
import { hex } from './mailbox-store.js'
import { open, releaseToken, seal, tagFor, type MailboxKeys } from './seal.js'

/** senders one collect() looks for (FETCHes of 256 tags each) */
export const MAX_COLLECT_SENDERS = 1024
/** holders one collect() asks, in parallel */
const MAX_COLLECT_HOLDERS = 16
/** FETCH rounds per holder and tag batch in one collect(): 32 × 512 KiB bounds what one holder can make us read */
const MAX_PAGES = 32
/** peers leave() tries before it gives up on finding `holders` of them */
const MAX_LEAVE_CANDIDATES = 32

/** What Mailbox needs of libp2p: who is connected, and which protocols identify saw them speak. */
export interface MailboxNetwork {
  getConnections: () => Connection[]
  peerStore: { get: (peerId: PeerId) => Promise<{ protocols: string[] }> }
}

export interface MailboxInit {
  keys: MailboxKeys
  selfId: string
  service: MailboxService
  libp2p: MailboxNetwork
  isContact: (peerId: string) => boolean
  /** holders one message is left with (default 3) */
  holders?: number
  /** bound on one leave() or collect() as a whole (default 30 s) */
  timeoutMs?: number
}

export interface Collected {
  from: string
  plaintext: Uint8Array
}

export class Mailbox {
  private readonly keys: MailboxKeys
  private readonly selfId: string
  private readonly service: MailboxService
  private readonly libp2p: MailboxNetwork
  private readonly isContact: (peerId: string) => boolean
  private readonly holders: number
  private readonly timeoutMs: number

  constructor (init: MailboxInit) {
    this.keys = init.keys
    this.selfId = init.selfId
    this.service = init.service
    this.libp2p = init.libp2p
    this.isContact = init.isContact
    this.holders = Math.max(1, init.holders ?? 3)
    this.timeoutMs = init.timeoutMs ?? 30_000
  }

  /** Seal `plaintext` to `to` and leave it with up to `holders` peers; answers how many took it. */
  async leave (to: string, plaintext: Uint8Array, signal?: AbortSignal): Promise<number> {
    const { tag, sealed, release } = seal(this.keys, this.selfId, to, plaintext)
    const bound = anySignal(signal, this.timeoutMs)
    const candidates = (await this.mailboxPeers(new Set([to, this.selfId]))).slice(0, MAX_LEAVE_CANDIDATES)
    const refusals: string[] = []
    let next = 0
    let taken = 0
    // `holders` workers each take candidates in turn until one holds the message, so a refusal moves on to the next peer
    const worker = async (): Promise<void> => {
      while (next < candidates.length && !bound.aborted) {
        const peer = candidates[next++]
        try {
          const status = await this.service.deposit(peer, tag, sealed, release, bound)
          if (status === MailboxReply.Status.OK) { taken++; return }
          refusals.push(`${peer}: ${status}`)
        } catch (err) {
          refusals.push(`${peer}: ${(err as Error).message}`)
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.holders, candidates.length) }, worker))
    if (taken > 0) return taken
    if (signal?.aborted === true) throw WgtError.from(signal.reason)
    const why = candidates.length === 0 ? `no connected peer speaks ${MAILBOX_PROTOCOL}` : refusals.slice(0, 4).join('; ')
    throw new WgtError('PEER_UNREACHABLE', `no peer could hold the message for ${to}: ${why}`)
  }

  /**
   * Messages sealed to us by `senders`, from every connected peer that holds
   * mail. What opened is acked (removed, with its release token) at the
   * holder it came from; what does not open is garbage someone who learnt
   * the tag left there, and is paged past (the holder's `next`), so it
   * cannot bury the real messages behind it.
   *
   * An abort or the time bound stops the asking, but what was opened so far
   * is still answered, never thrown away: it may be acked already, and then
   * it exists nowhere else. The caller stores it before anything else.
   */
  async collect (senders: string[], signal?: AbortSignal): Promise<Collected[]> {
    if (senders.length > MAX_COLLECT_SENDERS) throw new WgtError('INVALID_INPUT', `collect looks for at most ${MAX_COLLECT_SENDERS} senders at once, not ${senders.length}`)
    const senderOf = new Map<string, string>()
    for (const sender of new Set(senders)) {
      try {
        senderOf.set(hex(tagFor(this.keys, this.selfId, sender)), sender)
      } catch {
        // a PeerId we cannot share a key with never sealed anything to us
      }
    }
    if (senderOf.size === 0) return []
    const tags = [...senderOf.keys()].map(fromHex)
    const batches: Uint8Array[][] = []
    for (let i = 0; i < tags.length; i += MAX_FETCH_TAGS) batches.push(tags.slice(i, i + MAX_FETCH_TAGS))
    const bound = anySignal(signal, this.timeoutMs)
    const holders = (await this.mailboxPeers(new Set([this.selfId]))).slice(0, MAX_COLLECT_HOLDERS)
    const found = new Map<string, Collected>()
    await Promise.all(holders.map(async holder => {
      for (const batch of batches) await this.collectFrom(holder, batch, senderOf, found, bound)
    }))
    return [...found.values()]
  }

  /** Page through what one holder keeps under `tags`, opening and acking as we go. */
  private async collectFrom (holder: string, tags: Uint8Array[], senderOf: Map<string, string>, found: Map<string, Collected>, signal: AbortSignal): Promise<void> {
    let after: Uint8Array | undefined
    for (let page = 0; page < MAX_PAGES && !signal.aborted; page++) {
      let reply
      try {
        reply = await this.service.fetch(holder, tags, signal, after)
      } catch {
        return // that holder gives nothing this time; the others may
      }
      if (reply.status !== MailboxReply.Status.OK) return
      const acks: MailboxRef[] = []
      for (const item of reply.items) {
        const name = `${hex(item.tag)}/${hex(item.id)}`
        const from = senderOf.get(hex(item.tag)) as string
        if (!found.has(name)) {
          try {
            found.set(name, { from, plaintext: open(this.keys, this.selfId, from, item.tag, item.sealed) })
          } catch {
            continue // not sealed by the pair: paged past, not acked (its token is nobody's to know)
          }
        }
        // the same id under the same tag is the same sealed bytes: opened once, acked at every holder
        acks.push({ tag: item.tag, id: item.id, token: releaseToken(this.keys, this.selfId, from, item.sealed) })
      }
      if (acks.length > 0) {
        // an ack that fails leaves the items there: the next collect sees them again and the chat core dedupes them
        const acked = await this.service.ack(holder, acks, signal).catch(() => null)
        if (acked !== MailboxReply.Status.OK) return
      }
      if (!reply.more || reply.next.byteLength === 0) return
      after = reply.next
    }
  }

  /** Connected peers that speak the mailbox protocol, contacts first, in random order otherwise. */
  private async mailboxPeers (exclude: Set<string>): Promise<string[]> {
    const seen = new Map<string, PeerId>()
    for (const c of this.libp2p.getConnections()) {
      const id = c.remotePeer.toString()
      if (c.status === 'open' && !exclude.has(id)) seen.set(id, c.remotePeer)
    }
    const speaking: string[] = []
    await Promise.all([...seen].map(async ([id, peer]) => {
      const protocols = await this.libp2p.peerStore.get(peer).then(p => p.protocols, () => [] as string[])
      if (protocols.includes(MAILBOX_PROTOCOL)) speaking.push(id)
    }))
    const shuffled = speaking.map(id => ({ id, r: Math.random() })).sort((a, b) => a.r - b.r).map(p => p.id)
    return [...shuffled.filter(id => this.isContact(id)), ...shuffled.filter(id => !this.isContact(id))]
  }
}

function fromHex (s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'))
}
