/**
 * What the user does with contacts (add, accept, decline, remove, block,
 * unblock, rename) and the delivery of what could not be sent at once: a
 * request or acceptance to a peer that is offline stays undelivered in the
 * book and goes out when the peer connects, or on the next retry tick while
 * it is connected (a BUSY peer). Blocking closes the peer's connections at
 * once; the gater then refuses it in both directions.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr as parseMultiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Contact } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { parsePeerId } from '../net/peer-id.js'
import type { ContactBook } from './contact-book.js'
import { ContactMessage, ContactReply, type ContactService } from './contact-service.js'

export interface ContactsInit {
  libp2p: Libp2p
  book: ContactBook
  service: ContactService
  /** how often undelivered records of connected peers are tried again (default 60 s) */
  retryMs?: number
}

export class Contacts {
  private readonly libp2p: Libp2p
  private readonly book: ContactBook
  private readonly service: ContactService
  private readonly delivering = new Set<string>()
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly onConnect = (evt: CustomEvent): void => { void this.deliver(String(evt.detail)) }

  constructor (private readonly init: ContactsInit) {
    this.libp2p = init.libp2p
    this.book = init.book
    this.service = init.service
  }

  start (): void {
    this.libp2p.addEventListener('peer:connect', this.onConnect)
    this.timer = setInterval(() => { this.retry() }, this.init.retryMs ?? 60_000)
    this.timer.unref()
    this.retry()
  }

  stop (): void {
    this.libp2p.removeEventListener('peer:connect', this.onConnect)
    clearInterval(this.timer)
  }

  async add (target: string, nickname?: string): Promise<Contact> {
    const { peerId, address } = this.parseTarget(target)
    if (this.book.trust(peerId) === 'request-received') return await this.accept(peerId, nickname)
    if (address != null) await this.libp2p.peerStore.merge(parsePeerId(peerId), { multiaddrs: [address] })
    const send = await this.book.exclusive(peerId, async () => {
      const old = this.book.get(peerId)
      if (old?.trust === 'blocked') throw new WgtError('INVALID_INPUT', `${peerId} is blocked: unblock it first`)
      const addresses = address != null ? [address.toString(), ...(old?.addresses ?? []).filter(a => a !== address.toString())].slice(0, 8) : undefined
      if (old?.trust === 'contact') {
        await this.book.set(peerId, { trust: 'contact', nickname: nickname ?? old.nickname, addresses, undelivered: old.undelivered })
        return false
      }
      // (a request that arrived meanwhile is answered by ours: the handshake treats crossing requests as agreement)
      await this.book.set(peerId, { trust: old?.trust === 'request-received' ? 'contact' : 'request-sent', nickname: nickname ?? old?.nickname ?? null, addresses, undelivered: true })
      return true
    })
    if (send) await this.deliver(peerId)
    return this.current(peerId)
  }

  async accept (peerId: string, nickname?: string): Promise<Contact> {
    await this.book.exclusive(peerId, async () => {
      const old = this.book.get(peerId)
      if (old?.trust !== 'request-received') throw new WgtError('NOT_FOUND', `no contact request from ${peerId} is waiting`)
      await this.book.set(peerId, { trust: 'contact', nickname: nickname ?? old.nickname, undelivered: true })
    })
    await this.deliver(peerId)
    return this.current(peerId)
  }

  async decline (peerId: string): Promise<void> {
    await this.book.exclusive(peerId, async () => {
      if (this.book.trust(peerId) !== 'request-received') throw new WgtError('NOT_FOUND', `no contact request from ${peerId} is waiting`)
      await this.book.delete(peerId)
    })
    this.tell(peerId, ContactMessage.Kind.DECLINE)
  }

  async remove (peerId: string): Promise<void> {
    const trust = await this.book.exclusive(peerId, async () => {
      const t = this.book.trust(peerId)
      if (t === 'stranger') throw new WgtError('NOT_FOUND', `${peerId} is not in your contacts`)
      if (t === 'blocked') throw new WgtError('INVALID_INPUT', `${peerId} is blocked: unblock it instead`)
      await this.book.delete(peerId)
      return t
    })
    this.tell(peerId, trust === 'request-received' ? ContactMessage.Kind.DECLINE : ContactMessage.Kind.REMOVE)
  }

  async rename (peerId: string, nickname: string | null): Promise<Contact> {
    return await this.book.exclusive(peerId, async () => {
      const old = this.book.get(peerId)
      if (old == null) throw new WgtError('NOT_FOUND', `${peerId} is not in your contacts`)
      return await this.book.set(peerId, { trust: old.trust, nickname, undelivered: old.undelivered })
    })
  }

  async block (peerId: string): Promise<Contact> {
    if (peerId === this.libp2p.peerId.toString()) throw new WgtError('INVALID_INPUT', 'cannot block this node itself')
    const contact = await this.book.exclusive(peerId, async () => {
      const old = this.book.get(peerId)
      return await this.book.set(peerId, { trust: 'blocked', nickname: old?.nickname ?? null, undelivered: false })
    })
    await this.libp2p.hangUp(parsePeerId(peerId)).catch(() => {})
    return contact
  }

  async unblock (peerId: string): Promise<void> {
    await this.book.exclusive(peerId, async () => {
      if (this.book.trust(peerId) !== 'blocked') throw new WgtError('NOT_FOUND', `${peerId} is not blocked`)
      await this.book.delete(peerId)
    })
  }

  /** Send an undelivered request or acceptance now; a failure leaves it for the next connect or tick. */
  async deliver (peerId: string): Promise<void> {
    const c = this.book.get(peerId)
    if (c?.undelivered !== true || this.delivering.has(peerId)) return
    const kind = c.trust === 'request-sent' ? ContactMessage.Kind.REQUEST : c.trust === 'contact' ? ContactMessage.Kind.ACCEPT : null
    if (kind == null) return
    this.delivering.add(peerId)
    try {
      // the send is not under the peer's lock: the reply may need the other side's handler, which may be sending to us
      const status = await this.service.send(peerId, kind)
      await this.book.exclusive(peerId, async () => {
        const now = this.book.get(peerId)
        if (now?.trust !== c.trust) return // the user (or the peer) changed it meanwhile
        if (status === ContactReply.Status.ACCEPTED) await this.book.set(peerId, { trust: 'contact', undelivered: false })
        else if (status === ContactReply.Status.OK) await this.book.set(peerId, { trust: c.trust, undelivered: false })
        else if (status === ContactReply.Status.NOT_REQUESTED) {
          // we accepted a request its sender has since withdrawn: no consent on the other side
          await this.book.delete(peerId)
          throw new WgtError('NOT_FOUND', `${peerId} withdrew its contact request`)
        }
        // BUSY: stays undelivered
      })
    } catch (err) {
      if (err instanceof WgtError && err.code === 'NOT_FOUND') throw err
      // unreachable or not answering: it waits in the book
    } finally {
      this.delivering.delete(peerId)
    }
  }

  private current (peerId: string): Contact {
    const c = this.book.get(peerId)
    if (c == null) throw new WgtError('NOT_FOUND', `${peerId} is no longer in your contacts`)
    return c
  }

  /** Best effort, not awaited: the relation is already gone here whether or not the peer hears it. */
  private tell (peerId: string, kind: ContactMessage.Kind): void {
    if (this.libp2p.getConnections(parsePeerId(peerId)).length === 0) return
    void this.service.send(peerId, kind).catch(() => {})
  }

  private retry (): void {
    for (const c of this.book.undelivered()) {
      if (this.libp2p.getConnections(parsePeerId(c.peerId)).length > 0) void this.deliver(c.peerId).catch(() => {})
    }
  }

  private parseTarget (target: string): { peerId: string, address: Multiaddr | null } {
    let peerId: string
    let address: Multiaddr | null = null
    if (target.startsWith('/')) {
      try {
        address = parseMultiaddr(target)
      } catch (err) {
        throw new WgtError('INVALID_INPUT', `not a multiaddr: ${target} (${(err as Error).message})`)
      }
      const p2p = address.getComponents().findLast(c => c.name === 'p2p')?.value
      if (p2p == null) throw new WgtError('INVALID_INPUT', `the address must end in /p2p/<PeerId>: ${target}`)
      peerId = parsePeerId(p2p).toString()
    } else {
      peerId = parsePeerId(target).toString()
    }
    if (peerId === this.libp2p.peerId.toString()) throw new WgtError('INVALID_INPUT', 'that is this node itself')
    return { peerId, address }
  }
}
