/**
 * What the media tunnel and the call relay say on the wire: one MediaHello
 * and one MediaReply (length-prefixed protobuf), then datagrams framed as a
 * big-endian u16 length and the bytes. A datagram is what the renderer's
 * WebRTC sent to our UDP port (ICE, DTLS, SRTP), so 1500 bytes bound it: no
 * honest sender frames more, and a frame above that is a violation.
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { Uint8ArrayList } from 'uint8arraylist'
import { Violation } from '../../wire/index.js'
import { parsePeerId } from '../../net/peer-id.js'
import { MediaHello, MediaReply } from './pb/media.js'

export { MediaHello, MediaReply }

export const MEDIA_PROTOCOL = '/wgt/call-media/1.0.0'
export const RELAY_PROTOCOL = '/wgt/call-relay/1.0.0'
/** the largest datagram a tunnel carries: an Ethernet MTU; WebRTC keeps its packets below it */
export const MAX_DATAGRAM = 1500
/** a hello is a call id, two PeerIds and 32 bytes of proof: well below this */
export const MAX_HELLO_BYTES = 512
export const MAX_REPLY_BYTES = 16
export const KEY_BYTES = 32
/** bound on the hello/reply exchange that opens a stream */
export const HANDSHAKE_TIMEOUT_MS = 10_000

const CALL_ID = /^[0-9a-f]{32}$/
const LABEL = new TextEncoder().encode('wgt-call-media')

/**
 * HMAC-SHA256(key, "wgt-call-media" 0 callId 0 from 0 to 0 via). The zero bytes
 * keep the parts apart (no PeerId or call id holds one), and from/to are
 * ordered, so the caller's proof does not work the other way round. `via` is
 * the relay the stream goes through ('' for a direct stream): a relay sees the
 * hello it carries, and without its name in the proof it could replay that
 * hello later, or one a caller tried with it and that failed, to take the
 * callee's tunnel over; with it, a hello only ever opens a stream through the
 * relay it was made for.
 */
export function mediaProof (key: Uint8Array, callId: string, from: string, to: string, via: string): Uint8Array {
  const enc = new TextEncoder()
  const parts = [LABEL, enc.encode(callId), enc.encode(from), enc.encode(to), enc.encode(via)]
  const msg = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0) + parts.length - 1)
  let at = 0
  for (const [i, p] of parts.entries()) {
    if (i > 0) msg[at++] = 0
    msg.set(p, at)
    at += p.byteLength
  }
  return hmac(sha256, key, msg)
}

/** Constant time: a proof is a secret's MAC. */
export function proofMatches (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  let diff = 0
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

/** Decode and check a hello's shape (not its proof: only the callee holds the key). */
export function decodeHello (bytes: Uint8Array | Uint8ArrayList): MediaHello {
  let hello: MediaHello
  try {
    hello = MediaHello.decode(bytes)
  } catch (err) {
    throw new Violation(`malformed media hello: ${(err as Error).message}`)
  }
  if (!CALL_ID.test(hello.callId)) throw new Violation('media hello with a malformed call id')
  for (const id of [hello.from, hello.to]) {
    try { parsePeerId(id) } catch { throw new Violation('media hello with a malformed PeerId') }
  }
  if (hello.from === hello.to) throw new Violation('media hello from a peer to itself')
  if (hello.proof.byteLength !== 32) throw new Violation('media hello proof is not 32 bytes')
  return hello
}

export function decodeReply (bytes: Uint8Array | Uint8ArrayList): MediaReply.Status {
  let status: MediaReply.Status
  try {
    status = MediaReply.decode(bytes).status
  } catch (err) {
    throw new Violation(`malformed media reply: ${(err as Error).message}`)
  }
  // protons refuses a number outside the enum; NONE is what an empty reply decodes to
  if (status === MediaReply.Status.NONE) throw new Violation('media reply without a status')
  return status
}

/** One datagram as a frame: u16 length, then the bytes. */
export function frame (datagram: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + datagram.byteLength)
  out[0] = datagram.byteLength >> 8
  out[1] = datagram.byteLength & 0xff
  out.set(datagram, 2)
  return out
}

/**
 * Cuts frames out of the bytes a stream delivers, in any chunking. It holds
 * at most one unfinished frame (1502 bytes): each chunk is consumed whole
 * before the next arrives.
 */
export class FrameReader {
  private readonly buffer = new Uint8ArrayList()

  /** Hands each complete datagram in what has arrived to `each`; throws Violation on a frame no honest peer sends. */
  push (chunk: Uint8Array | Uint8ArrayList, each: (datagram: Uint8Array) => void): void {
    this.buffer.append(chunk)
    while (this.buffer.byteLength >= 2) {
      const length = this.buffer.getUint16(0)
      if (length === 0) throw new Violation('empty media frame')
      if (length > MAX_DATAGRAM) throw new Violation(`media frame of ${length} bytes (at most ${MAX_DATAGRAM})`)
      if (this.buffer.byteLength < 2 + length) return
      const datagram = this.buffer.subarray(2, 2 + length)
      this.buffer.consume(2 + length)
      each(datagram)
    }
  }
}
