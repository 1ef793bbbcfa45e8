import { describe, expect, it } from 'vitest'
import { contactTarget, formatContactLink, parseContactLink } from '../contact-link.js'

const ID = '12D3KooWGRUVh3uEW3fWXR1r5WYhYh6tJmWrMxtDuiQK3WVHr4Mh'

describe('wgt://contact/ links', () => {
  it('carry the PeerId and addresses, LAN before loopback, and round-trip', () => {
    const link = formatContactLink(ID, [`/ip4/127.0.0.1/tcp/4001/p2p/${ID}`, '/ip4/192.168.1.5/tcp/4001', '/ip4/1.2.3.4/tcp/1/p2p/x/p2p-circuit'])
    expect(link).toBe(`wgt://contact/${ID}?a=%2Fip4%2F192.168.1.5%2Ftcp%2F4001&a=%2Fip4%2F127.0.0.1%2Ftcp%2F4001`)
    const parsed = parseContactLink(link)
    expect(parsed).toEqual({ peerId: ID, addresses: ['/ip4/192.168.1.5/tcp/4001', '/ip4/127.0.0.1/tcp/4001'] })
    expect(contactTarget(parsed)).toBe(`/ip4/192.168.1.5/tcp/4001/p2p/${ID}`)
    expect(contactTarget(parseContactLink(`wgt://contact/${ID}`))).toBe(ID)
  })

  it('refuses what is not one', () => {
    for (const bad of ['wgt://contact/', `wgt://contact/${ID}?a=tcp`, `wgt://contact/${ID}?a=%E0%A4%A`, 'http://x', `wgt://contact/${ID}?a=` + 'x'.repeat(3000), `wgt://contact/${ID}?a=%2Fip4%2F1.2.3.4%2Fp2p%2Fother`]) {
      expect(() => parseContactLink(bad), bad).toThrow(/contact\/? link/)
    }
  })

  it('refuses addresses that are not multiaddr text: controls, whitespace, escapes, direction overrides', () => {
    const hostile = ['/ip4/192.168.1.1/tcp/22\n\x1b[31m', '/ip4/1.2.3.4/tcp/1\r', '/dns4/a b/tcp/1', '/ip4/1.2.3.4/tcp/1\u202e', '/dns4/ex\u00e4mple.org/tcp/1', '/ip4/1.2.3.4/tcp/1\u0000', '//', '/']
    for (const addr of hostile) {
      expect(() => parseContactLink(`wgt://contact/${ID}?a=${encodeURIComponent(addr)}`), JSON.stringify(addr)).toThrow(/malformed address: an address is \/-separated printable text/)
    }
    // what real multiaddrs look like still passes
    const good = ['/ip6/::1/tcp/4001', '/dns4/relay.example.org/tcp/443/wss', '/ip4/1.2.3.4/udp/4001/quic-v1/webtransport/certhash/uEiB-x_y']
    for (const addr of good) expect(parseContactLink(`wgt://contact/${ID}?a=${encodeURIComponent(addr)}`).addresses).toEqual([addr])
  })
})
