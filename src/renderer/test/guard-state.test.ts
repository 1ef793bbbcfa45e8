import { describe, expect, it } from 'vitest'
import type { BannedPeer, Contact } from '../../shared/api/index.js'
import { formatContactLink } from '../../shared/contact-link.js'
import { activeBans, bansWithPeer, contactsFromList, contactsWith, parseAddTarget, peerLabel, withContact, withoutContact } from '../src/guard/state.js'
import { peer } from './fixtures.js'

const BOB = '12D3KooWGzh6Vt6gn7c7bF8m7pCq3rXb4xvLb1kT5c2NwQe9RkYZ'
const SELF = '12D3KooWSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1f'

function contact (peerId: string, trust: Contact['trust'], nickname: string | null = null, updatedAt = 1): Contact {
  return { peerId, trust, nickname, addresses: [], since: updatedAt, updatedAt, undelivered: false }
}

describe('what is pasted into "Add a contact"', () => {
  it('takes a contact link: its first address with /p2p/<PeerId> is what the node dials', () => {
    const link = formatContactLink(BOB, [`/ip4/127.0.0.1/tcp/4101/p2p/${BOB}`, '/ip4/192.168.1.7/tcp/4101'])
    // LAN before loopback, as formatContactLink orders them
    expect(parseAddTarget(`  ${link} `, SELF)).toEqual({
      kind: 'ok', source: 'link', peerId: BOB, target: `/ip4/192.168.1.7/tcp/4101/p2p/${BOB}`, address: '/ip4/192.168.1.7/tcp/4101'
    })
    expect(parseAddTarget(`wgt://contact/${BOB}`, SELF)).toMatchObject({ kind: 'ok', target: BOB, address: null })
  })

  it('takes a multiaddr ending in /p2p/<PeerId>, or a bare PeerId', () => {
    expect(parseAddTarget(`/ip4/203.0.113.7/tcp/4001/p2p/${BOB}`, SELF)).toMatchObject({ kind: 'ok', source: 'address', peerId: BOB, address: '/ip4/203.0.113.7/tcp/4001' })
    expect(parseAddTarget(BOB, SELF)).toEqual({ kind: 'ok', source: 'peer-id', peerId: BOB, target: BOB, address: null })
  })

  it('says why anything else is refused, before anything is sent', () => {
    expect(parseAddTarget('   ', SELF)).toEqual({ kind: 'empty' })
    expect(parseAddTarget('/ip4/203.0.113.7/tcp/4001', SELF)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/must end in \/p2p\//) })
    expect(parseAddTarget('wgt://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku#key', SELF)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/file link/) })
    expect(parseAddTarget('wgt://contact/not!a!peer', SELF)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/PeerId/) })
    expect(parseAddTarget(`wgt://contact/${BOB}?a=%2Fip4%2F1.2.3.4%2Fp2p%2Fx`, SELF)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/malformed address/) })
    expect(parseAddTarget('hello there', SELF)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^Paste a PeerId/) })
    expect(parseAddTarget(formatContactLink(SELF, ['/ip4/127.0.0.1/tcp/1']), SELF)).toEqual({ kind: 'invalid', reason: 'That is this node itself.' })
  })
})

describe('the contact book', () => {
  it('upserts and removes by PeerId without touching the input, and lists each kind in its order', () => {
    const book = contactsFromList([contact('QmB', 'contact', 'bob'), contact('QmZ', 'contact'), contact('QmA', 'contact', 'Alice')])
    const withReq = withContact(withContact(book, contact('QmR1', 'request-received', null, 5)), contact('QmR2', 'request-received', null, 9))
    expect(Object.keys(book)).toHaveLength(3)
    // by name, case-insensitive, unnamed last; requests newest first
    expect(contactsWith(withReq, 'contact').map(c => c.peerId)).toEqual(['QmA', 'QmB', 'QmZ'])
    expect(contactsWith(withReq, 'request-received').map(c => c.peerId)).toEqual(['QmR2', 'QmR1'])
    expect(withoutContact(withReq, 'QmNONE')).toBe(withReq)
    expect(Object.keys(withoutContact(withReq, 'QmR1'))).not.toContain('QmR1')
    // in running text a peer goes by its name, or its short PeerId
    expect(peerLabel(withReq, 'QmA')).toBe('Alice')
    expect(peerLabel(withReq, BOB)).toBe('12D3KooW…e9RkYZ')
  })
})

describe('bans', () => {
  it('follow the directory: a banned peer is added or updated, one no longer banned leaves', () => {
    const banned = peer('QmH', { reputation: { state: 'banned', violations: 5, bannedUntil: 500, lastReason: 'flood' } })
    const one = bansWithPeer([], banned)
    expect(one).toEqual([{ peerId: 'QmH', until: 500, reason: 'flood' }])
    expect(bansWithPeer(one, banned)).toBe(one)
    expect(bansWithPeer(one, peer('QmH'))).toEqual([])
    const none: BannedPeer[] = []
    expect(bansWithPeer(none, peer('QmX'))).toBe(none)
  })

  it('show only those not over, ending soonest first', () => {
    const bans = [{ peerId: 'a', until: 300, reason: null }, { peerId: 'b', until: 100, reason: null }, { peerId: 'c', until: 200, reason: null }]
    expect(activeBans(bans, 150).map(b => b.peerId)).toEqual(['c', 'a'])
  })
})
