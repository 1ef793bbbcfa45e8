/**
 * Which local source is the call's renderer: the one that sends an ICE
 * connectivity check (a STUN Binding Request, RFC 8489/8445) signed with the
 * ICE password of the other side, which only the two renderers and their
 * nodes know (it travels in the SDP over the authenticated signalling).
 *
 * Without this, any process on this machine could send to the tunnel's UDP
 * port and take the latch: the peer's datagrams would go to it, and its junk
 * would fill the tunnel. DTLS-SRTP would still keep the media secret and
 * whole, so what this closes is a local denial of service.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

const MAGIC_COOKIE = 0x2112a442
const BINDING_REQUEST = 0x0001
const HEADER = 20
const USERNAME = 0x0006
const MESSAGE_INTEGRITY = 0x0008

/** The remote side's ICE credentials, from its SDP (a=ice-ufrag, a=ice-pwd). */
export interface IceCredentials {
  ufrag: string
  pwd: string
}

/** The first a=ice-ufrag and a=ice-pwd of an SDP (BUNDLE: one transport), or null. */
export function iceCredentialsOf (sdp: string): IceCredentials | null {
  const ufrag = /^a=ice-ufrag:(\S{1,256})\r?$/m.exec(sdp)?.[1]
  const pwd = /^a=ice-pwd:(\S{1,256})\r?$/m.exec(sdp)?.[1]
  return ufrag != null && pwd != null ? { ufrag, pwd } : null
}

/**
 * Whether `msg` is a Binding Request to the agent with `remote` credentials:
 * USERNAME "<remote ufrag>:<sender's ufrag>" and a MESSAGE-INTEGRITY that
 * checks with the remote password (the short-term credential of RFC 8489 §9.1).
 */
export function isCheckFor (msg: Uint8Array, remote: IceCredentials): boolean {
  if (msg.byteLength < HEADER) return false
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength)
  if (view.getUint16(0) !== BINDING_REQUEST || view.getUint32(4) !== MAGIC_COOKIE) return false
  const length = view.getUint16(2)
  if (length % 4 !== 0 || HEADER + length !== msg.byteLength) return false
  let username: string | null = null
  for (let at = HEADER; at + 4 <= msg.byteLength;) {
    const type = view.getUint16(at)
    const size = view.getUint16(at + 2)
    const value = at + 4
    if (value + size > msg.byteLength) return false
    if (type === USERNAME) {
      username = new TextDecoder().decode(msg.subarray(value, value + size))
    } else if (type === MESSAGE_INTEGRITY) {
      if (size !== 20 || username == null || !username.startsWith(`${remote.ufrag}:`)) return false
      // the HMAC covers the message up to this attribute, with the header's length
      // saying the message ends right after it
      const signed = Buffer.from(msg.subarray(0, at))
      signed.writeUInt16BE(at + 24 - HEADER, 2)
      const mac = createHmac('sha1', remote.pwd).update(signed).digest()
      return timingSafeEqual(mac, msg.subarray(value, value + 20))
    }
    at = value + size + ((4 - (size % 4)) % 4)
  }
  return false
}
