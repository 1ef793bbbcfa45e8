/**
 * wgt://contact/<PeerId>?a=<multiaddr>&a=…: what one user gives another to be
 * added as a contact (pasted, or sent as text), carrying who (the PeerId) and
 * where to reach them (up to MAX_ADDRESSES multiaddrs, without /p2p/). Pure:
 * the renderer, the CLI and the node all read it the same way.
 */
import { WgtError } from './errors.js'

export const CONTACT_LINK_PREFIX = 'wgt://contact/'
const MAX_ADDRESSES = 4
const MAX_LINK = 2048
const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{8,128}$|^b[a-z2-7]{8,128}$/
/**
 * Multiaddr text: /-separated protocol names and values, all printable ASCII
 * with no whitespace (dns names, ip4/ip6, ports, certhashes, sni). The shared
 * layer cannot parse multiaddrs itself (@multiformats/multiaddr is the node's),
 * so it refuses anything else: control characters, newlines, escape sequences
 * and Unicode direction overrides would otherwise reach a screen or a log as
 * if they were part of the address.
 */
const MULTIADDR_TEXT = /^(\/[!-.0-~]+)+$/

export interface ContactLink { peerId: string, addresses: string[] }

/** Public and LAN addresses first; loopback last (it only reaches this machine). */
export function formatContactLink (peerId: string, multiaddrs: readonly string[]): string {
  const bare = [...new Set(multiaddrs.map(a => a.replace(/\/p2p\/[^/]+$/, '')))]
    .filter(a => !a.includes('/p2p-circuit'))
    .sort((a, b) => Number(isLoopback(a)) - Number(isLoopback(b)))
    .slice(0, MAX_ADDRESSES)
  const query = bare.map(a => `a=${encodeURIComponent(a)}`).join('&')
  return `${CONTACT_LINK_PREFIX}${peerId}${query === '' ? '' : `?${query}`}`
}

export function isContactLink (text: string): boolean {
  return text.trim().startsWith(CONTACT_LINK_PREFIX)
}

export function parseContactLink (text: string): ContactLink {
  const link = text.trim()
  if (link.length > MAX_LINK || !link.startsWith(CONTACT_LINK_PREFIX)) throw new WgtError('INVALID_INPUT', 'not a wgt://contact/ link')
  const [peerId, query = ''] = link.slice(CONTACT_LINK_PREFIX.length).split('?', 2)
  if (!PEER_ID.test(peerId)) throw new WgtError('INVALID_INPUT', 'the contact link does not carry a PeerId')
  const addresses: string[] = []
  for (const part of query.split('&').filter(p => p !== '')) {
    const [name, value = ''] = part.split('=', 2)
    if (name !== 'a') continue
    let addr: string
    try { addr = decodeURIComponent(value) } catch { throw new WgtError('INVALID_INPUT', 'the contact link has a malformed address') }
    if (addr.length > 1024 || !MULTIADDR_TEXT.test(addr) || addr.includes('/p2p/')) {
      throw new WgtError('INVALID_INPUT', 'the contact link has a malformed address: an address is /-separated printable text without spaces, such as /ip4/192.0.2.1/tcp/4001')
    }
    if (addresses.length < MAX_ADDRESSES) addresses.push(addr)
  }
  return { peerId, addresses }
}

/** What to hand addContact: the first address with /p2p/<PeerId>, or the bare PeerId. */
export function contactTarget (link: ContactLink): string {
  return link.addresses.length > 0 ? `${link.addresses[0]}/p2p/${link.peerId}` : link.peerId
}

function isLoopback (addr: string): boolean {
  return addr.startsWith('/ip4/127.') || addr.startsWith('/ip6/::1/')
}
