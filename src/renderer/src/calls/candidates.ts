/**
 * ICE candidates around the node's tunnel (shared/api/calls.ts): the tunnel
 * is a UDP port on 127.0.0.1 that the renderer is told about as a remote
 * candidate of type relay with the lowest priority we can give, so ICE picks
 * it only when no direct pair connects. Pure, so it is unit-tested.
 */
import type { CallTunnel, MediaPath } from '../../../shared/api/index.js'

/** Any ice-char string (RFC 8839) unlike Chromium's numeric foundations. */
export const TUNNEL_FOUNDATION = 'wgttunnel'
/**
 * Type preference 0, local preference 0xffff, component 1:
 * (0 << 24) + (65535 << 8) + (256 - 1) = 16777215, below every host,
 * server-reflexive and TURN candidate Chromium gathers.
 */
export const TUNNEL_PRIORITY = 16_777_215

export function tunnelCandidateLine (port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RangeError(`not a UDP port: ${port}`)
  return `candidate:${TUNNEL_FOUNDATION} 1 udp ${TUNNEL_PRIORITY} 127.0.0.1 ${port} typ relay raddr 0.0.0.0 rport 0`
}

/** The tunnel as an RTCIceCandidateInit for the first m-line (BUNDLE puts every m-line on one transport). */
export function tunnelCandidate (port: number, firstMid: string | null): RTCIceCandidateInit {
  return { candidate: tunnelCandidateLine(port), sdpMid: firstMid ?? '0', sdpMLineIndex: 0 }
}

/** Drop every a=candidate (and end-of-candidates) line: on the libp2p path the peer's own addresses are not used. */
export function stripCandidates (sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n'
  return sdp.split(/\r?\n/).filter(line => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates').join(eol)
}

/**
 * Which path media takes, from the selected pair's remote candidate: the
 * tunnel's address means the node carries it (over libp2p or a relay);
 * anything else is ICE between the renderers.
 */
export function pathOf (remote: { address: string | null, port: number | null } | null, tunnel: CallTunnel | null): MediaPath | null {
  if (remote == null) return null
  if (tunnel != null && remote.port === tunnel.port && (remote.address === '127.0.0.1' || remote.address == null)) return tunnel.route
  return 'direct'
}
