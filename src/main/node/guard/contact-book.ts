/**
 * The contact book: every peer the user has a relation with (contact, a
 * request either way, blocked), in the datastore under /wgt/guard/contacts so
 * it survives restarts. A peer with no record is a stranger. Reads are
 * synchronous (the book is loaded at open); every change is written before it
 * is announced. Requests received from strangers are bounded (maxReceived):
 * past it the oldest waiting request goes, so a flood of fresh PeerIds can
 * neither grow the book nor keep a new request out for good. Changes to one
 * peer's record run one at a time (exclusive), so a message from the peer
 * racing the user's block cannot land after it and undo it.
 */
import { Key, type Datastore } from 'interface-datastore'
import type { Contact, TrustStatus } from '../../../shared/api/index.js'
import { KeyedLock } from '../storage/keyed-lock.js'

const PREFIX = '/wgt/guard/contacts'
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const TRUSTS = new Set<TrustStatus>(['contact', 'request-sent', 'request-received', 'blocked'])

export type ContactChange = { peerId: string, contact: Contact | null }

export class ContactBook {
  private readonly contacts = new Map<string, Contact>()
  private readonly listeners = new Set<(change: ContactChange) => void>()
  private readonly lock = new KeyedLock()

  constructor (private readonly datastore: Datastore, private readonly maxReceived = 200, private readonly now: () => number = Date.now) {}

  async load (): Promise<void> {
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX })) {
      try {
        const c = JSON.parse(decoder.decode(value)) as Contact
        if (typeof c.peerId !== 'string' || !TRUSTS.has(c.trust)) continue
        this.contacts.set(c.peerId, {
          peerId: c.peerId,
          trust: c.trust,
          nickname: typeof c.nickname === 'string' ? c.nickname : null,
          addresses: Array.isArray(c.addresses) ? c.addresses.filter(a => typeof a === 'string').slice(0, 16) : [],
          since: Number(c.since) || 0,
          updatedAt: Number(c.updatedAt) || 0,
          undelivered: c.undelivered === true
        })
      } catch {
        await this.datastore.delete(key) // unreadable: it was never a relation the user could see
      }
    }
  }

  get (peerId: string): Contact | null {
    const c = this.contacts.get(peerId)
    return c == null ? null : { ...c, addresses: [...c.addresses] }
  }

  trust (peerId: string): TrustStatus {
    return this.contacts.get(peerId)?.trust ?? 'stranger'
  }

  nickname (peerId: string): string | null {
    return this.contacts.get(peerId)?.nickname ?? null
  }

  list (): Contact[] {
    return [...this.contacts.values()].map(c => ({ ...c, addresses: [...c.addresses] }))
      .sort((a, b) => (a.nickname ?? '\uffff').localeCompare(b.nickname ?? '\uffff') || a.peerId.localeCompare(b.peerId))
  }

  /** Records waiting to be delivered: our requests and acceptances. */
  undelivered (): Contact[] {
    return this.list().filter(c => c.undelivered)
  }

  /** Create or change a peer's record; fields not given keep their value. */
  async set (peerId: string, fields: Partial<Omit<Contact, 'peerId' | 'since' | 'updatedAt'>> & { trust: Contact['trust'] }): Promise<Contact> {
    const old = this.contacts.get(peerId)
    if (old == null && fields.trust === 'request-received' && this.count('request-received') >= this.maxReceived) {
      const oldest = [...this.contacts.values()].filter(c => c.trust === 'request-received').sort((a, b) => a.since - b.since)[0]
      if (oldest != null) await this.delete(oldest.peerId)
    }
    const t = this.now()
    const next: Contact = {
      peerId,
      trust: fields.trust,
      nickname: fields.nickname !== undefined ? fields.nickname : old?.nickname ?? null,
      addresses: fields.addresses ?? old?.addresses ?? [],
      since: old?.since ?? t,
      updatedAt: t,
      undelivered: fields.undelivered ?? false
    }
    await this.datastore.put(new Key(`${PREFIX}/${peerId}`), encoder.encode(JSON.stringify(next)))
    this.contacts.set(peerId, next)
    this.announce({ peerId, contact: this.get(peerId) })
    return this.get(peerId) as Contact
  }

  /** The peer goes back to stranger. */
  async delete (peerId: string): Promise<void> {
    if (!this.contacts.has(peerId)) return
    await this.datastore.delete(new Key(`${PREFIX}/${peerId}`))
    this.contacts.delete(peerId)
    this.announce({ peerId, contact: null })
  }

  /** Run fn with no other exclusive change to this peer's record in between (read, decide, write). */
  async exclusive<T> (peerId: string, fn: () => Promise<T>): Promise<T> {
    return await this.lock.run(peerId, fn)
  }

  onChange (listener: (change: ContactChange) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private count (trust: TrustStatus): number {
    let n = 0
    for (const c of this.contacts.values()) if (c.trust === trust) n++
    return n
  }

  private announce (change: ContactChange): void {
    for (const l of this.listeners) l(change)
  }
}
