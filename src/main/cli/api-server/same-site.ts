/**
 * Who may address the API server: the one check of Host and Origin that HTTP
 * requests and WebSocket upgrades both pass before anything else happens.
 *
 * A DNS-rebinding page (attacker.example first resolving to the attacker, then
 * to 127.0.0.1) reaches this port from the victim's browser with its own name
 * in Host, so Host must be a name of this server. A page of another site that
 * talks to 127.0.0.1 directly sends its own Origin, so an Origin, when a
 * browser sends one, must be this server's own page at the name it addressed.
 * The `wgt` command's WebSocket sends no Origin, and that stays allowed.
 */
import type { IncomingMessage } from 'node:http'
import { hostname, networkInterfaces } from 'node:os'

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1']

/**
 * Why this request is refused, or null when it is addressed to this server
 * (bound to bindHost, listening on port). Host must be a loopback name, the
 * address it binds, or, bound to every interface, one of this machine's
 * addresses or its host name, always with the port actually bound. An
 * Origin must be that same host and port over http.
 */
export function foreignRequest (req: IncomingMessage, bindHost: string, port: number): string | null {
  const hostHeader = req.headers.host
  if (hostHeader == null) return 'a Host header is required'
  const target = parseHost(hostHeader)
  if (target == null || target.port !== port || !ownNames(bindHost).has(target.host)) return 'the Host header does not name this server'
  const origin = req.headers.origin
  if (origin == null) return null
  const from = /^http:\/\/(.+)$/i.exec(origin)
  const source = from == null ? null : parseHost(from[1])
  if (source == null || source.host !== target.host || source.port !== target.port) return 'requests from another site\'s page are refused'
  return null
}

/** Worked out per request when bound to every interface: addresses come and go (DHCP, VPNs). */
function ownNames (bindHost: string): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, bindHost.toLowerCase()])
  if (bindHost === '0.0.0.0' || bindHost === '::') {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase().replace(/%.*$/, ''))
    const name = hostname().toLowerCase()
    names.add(name)
    names.add(`${name}.local`)
  }
  return names
}

/** "name:port", "[v6]:port", or without a port (80) */
function parseHost (header: string): { host: string, port: number } | null {
  const m = /^(\[[0-9a-fA-F:.%\w]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header.trim())
  if (m == null) return null
  return { host: m[1].replace(/^\[|\]$/g, '').toLowerCase(), port: m[2] == null ? 80 : Number(m[2]) }
}
