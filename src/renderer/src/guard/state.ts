/**
 * The guard part of the UI state as pure functions over plain data: the
 * contact book by PeerId, how this node stands with any peer (the book once
 * loaded, the peer directory before), the bans, the count of requests
 * waiting, and what a person pastes into "Add a contact".
 */
import type { BannedPeer, Contact, FileOffer, PeerEntry, PeerIdString, TrustStatus } from '../../../shared/api/index.js'
import { contactTarget, isContactLink, parseContactLink } from '../../../shared/contact-link.js'
import { WgtError } from '../../../shared/errors.js'
import { shortPeerId } from '../format.js'

export type Contacts = Readonly<Record<PeerIdString, Contact>>

export function contactsFromList (list: readonly Contact[]): Contacts {
  const out: Record<PeerIdString, Contact> = {}
  for (const c of list) out[c.peerId] = c
  return out
}

export function withContact (contacts: Contacts, contact: Contact): Contacts {
  return { ...contacts, [contact.peerId]: contact }
}

export function withoutContact (contacts: Contacts, peerId: PeerIdString): Contacts {
  if (!Object.hasOwn(contacts, peerId)) return contacts
  const out = { ...contacts }
  delete out[peerId]
  return out
}

const byName = (a: Contact, b: Contact): number =>
  (a.nickname ?? '\uffff').localeCompare(b.nickname ?? '\uffff', undefined, { sensitivity: 'base' }) || (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)

/** Contacts by name (unnamed last); requests and blocks newest first, as they arrived. */
export function contactsWith (contacts: Contacts, trust: Contact['trust']): Contact[] {
  const list = Object.values(contacts).filter(c => c.trust === trust)
  return trust === 'contact' ? list.sort(byName) : list.sort((a, b) => b.updatedAt - a.updatedAt || byName(a, b))
}

export interface PeerStanding { trust: TrustStatus, nickname: string | null }

/**
 * How this node stands with a peer. The contact book is the truth once it is
 * loaded (its events arrive first); until then the peer directory's copy.
 */
export function standingOf (
  s: { contacts: Contacts, contactsLoaded: boolean, peers: Readonly<Record<PeerIdString, PeerEntry>> },
  peerId: PeerIdString
): PeerStanding {
  const c = s.contacts[peerId]
  if (c != null) return { trust: c.trust, nickname: c.nickname }
  if (s.contactsLoaded) return { trust: 'stranger', nickname: null }
  const p = s.peers[peerId]
  return { trust: p?.trust ?? 'stranger', nickname: p?.nickname ?? null }
}

/** A peer in running text (chart legends, summaries): the user's name for it, or the short PeerId. */
export function peerLabel (contacts: Contacts, peerId: PeerIdString): string {
  return contacts[peerId]?.nickname ?? shortPeerId(peerId)
}

/** Offers from peers the policy did not let straight in: shown apart, as requests. */
export function offerRequests (offers: readonly FileOffer[]): FileOffer[] {
  return offers.filter(o => o.request)
}

/** Requests waiting for the user: contact requests and file requests from strangers (the Contacts badge). */
export function requestCount (s: { contacts: Contacts, offers: readonly FileOffer[] }): number {
  let n = 0
  for (const c of Object.values(s.contacts)) if (c.trust === 'request-received') n++
  for (const o of s.offers) if (o.request) n++
  return n
}

/** Upsert or drop a ban as the peer directory reports the peer's standing. */
export function bansWithPeer (bans: readonly BannedPeer[], peer: PeerEntry): readonly BannedPeer[] {
  const i = bans.findIndex(b => b.peerId === peer.peerId)
  if (peer.reputation.state !== 'banned') return i < 0 ? bans : bans.filter(b => b.peerId !== peer.peerId)
  const ban: BannedPeer = { peerId: peer.peerId, until: peer.reputation.bannedUntil ?? 0, reason: peer.reputation.lastReason }
  if (i >= 0 && bans[i].until === ban.until && bans[i].reason === ban.reason) return bans
  return [...bans.filter(b => b.peerId !== peer.peerId), ban].sort((a, b) => a.until - b.until)
}

/** Bans not yet over, ending soonest first. */
export function activeBans (bans: readonly BannedPeer[], now: number): BannedPeer[] {
  return bans.filter(b => b.until > now).sort((a, b) => a.until - b.until)
}

export type AddTarget =
  | { kind: 'empty' }
  | { kind: 'invalid', reason: string }
  /** `target` is what addContact takes; `address` where the peer is dialled, if the input said */
  | { kind: 'ok', source: 'link' | 'address' | 'peer-id', peerId: string, target: string, address: string | null }

// base58btc (Qm…, 12D3KooW…) or a base32 CID (b…), as src/shared/contact-link.ts accepts
const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{8,128}$|^b[a-z2-7]{8,128}$/

/**
 * What was pasted into "Add a contact": a wgt://contact/ link, a multiaddr
 * ending in /p2p/<PeerId>, or a bare PeerId. Checked here so the person sees
 * what will be added, or why not, before anything is sent; the node checks again.
 */
export function parseAddTarget (text: string, self: PeerIdString | null): AddTarget {
  const value = text.trim()
  if (value === '') return { kind: 'empty' }
  let result: AddTarget
  if (isContactLink(value)) {
    try {
      const link = parseContactLink(value)
      result = { kind: 'ok', source: 'link', peerId: link.peerId, target: contactTarget(link), address: link.addresses[0] ?? null }
    } catch (err) {
      return { kind: 'invalid', reason: `${WgtError.from(err).message}.` }
    }
  } else if (value.startsWith('wgt://')) {
    return { kind: 'invalid', reason: 'That is a file link. A contact link starts with wgt://contact/.' }
  } else if (value.startsWith('/')) {
    const m = /^(\/.+)?\/p2p\/([^/]+)$/.exec(value)
    if (m == null || !PEER_ID.test(m[2])) return { kind: 'invalid', reason: 'An address must end in /p2p/<PeerId>.' }
    result = { kind: 'ok', source: 'address', peerId: m[2], target: value, address: m[1] ?? null }
  } else if (PEER_ID.test(value)) {
    result = { kind: 'ok', source: 'peer-id', peerId: value, target: value, address: null }
  } else {
    return { kind: 'invalid', reason: 'Paste a PeerId (12D3KooW…), an address ending in /p2p/<PeerId>, or a wgt://contact/ link.' }
  }
  if (result.peerId === self) return { kind: 'invalid', reason: 'That is this node itself.' }
  return result
}
