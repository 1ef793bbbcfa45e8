/**
 * Sealing a mailbox message to its recipient (DESIGN.md §7). Both sides turn
 * their Ed25519 identities into X25519 keys, so the PeerId alone is enough to
 * seal to a peer. The pair's static X25519 secret derives, with HKDF-SHA-256:
 *
 * - a 16-byte recipient tag per direction (sender → recipient). Holders index
 *   deposits by it; only sender and recipient can compute it, so the tag
 *   itself names nobody. A holder does see who deposits (the sender's
 *   connection) and who fetches (the recipient's), when, and how long each
 *   message is (nothing is padded): it can tell who writes to whom, but not
 *   what. The tag is stable per pair and direction, and knowing it is the
 *   capability to fetch those deposits (not to open them), at any holder.
 * - a release key per direction: an item's release token is SHA-256 of that
 *   key and the item's nonce. The depositor hands the holder only the
 *   token's SHA-256; the recipient shows the token to have the item removed.
 *   So a holder, which knows the tag, cannot delete the copies other holders
 *   keep; and garbage someone leaves under the tag is paged past, not
 *   removed (it costs its depositor's quota until it expires).
 * - a 32-byte message key per direction, used with XChaCha20-Poly1305 and a
 *   fresh random 24-byte nonce per message (random nonces of that size are
 *   safe for any realistic number of messages under one key).
 *
 * sealed = version (1 byte) || nonce (24) || ciphertext with its 16-byte tag;
 * the version and the recipient tag are associated data, so a sealed message
 * moved under another tag does not open. Because the key comes from the two
 * static keys, a message that opens was sealed by the claimed sender (or by
 * the recipient itself). There is no forward secrecy: whoever later steals
 * either identity key can open what was sealed between the pair — the price
 * of delivering to a recipient that is offline while the sender is too.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { randomBytes } from '@noble/ciphers/utils.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import type { PrivateKey } from '@libp2p/interface'
import { WgtError } from '../../../../shared/errors.js'
import { parsePeerId } from '../../net/peer-id.js'

export const MAILBOX_TAG_BYTES = 16
/** Largest plaintext seal() takes: a chat message with its envelope fits with room to spare. */
export const MAX_SEALED_PLAINTEXT = 16 * 1024
export const SEAL_VERSION = 1
const NONCE_BYTES = 24
const AEAD_TAG_BYTES = 16
/** What sealing adds to the plaintext: version, nonce, AEAD tag. */
export const SEAL_OVERHEAD = 1 + NONCE_BYTES + AEAD_TAG_BYTES
/** Largest sealed message a holder accepts. */
export const MAX_SEALED = MAX_SEALED_PLAINTEXT + SEAL_OVERHEAD

const encoder = new TextEncoder()
const TAG_LABEL = encoder.encode('wgt/mailbox/tag/v1')
const KEY_LABEL = encoder.encode('wgt/mailbox/key/v1')
const RELEASE_LABEL = encoder.encode('wgt/mailbox/release/v1')

/** Our X25519 key pair, derived from the node's Ed25519 identity. */
export interface MailboxKeys {
  secretKey: Uint8Array
  publicKey: Uint8Array
}

export interface Sealed {
  tag: Uint8Array
  sealed: Uint8Array
  /** SHA-256 of the release token: what the holder checks an ACK against */
  release: Uint8Array
}

export const RELEASE_BYTES = 32

export function mailboxKeys (privateKey: PrivateKey): MailboxKeys {
  if (privateKey.type !== 'Ed25519') {
    throw new WgtError('INVALID_INPUT', `the mailbox needs an Ed25519 identity; this node's key is ${privateKey.type}`)
  }
  // libp2p keeps an Ed25519 private key as seed (32) || public key (32)
  const secretKey = ed25519.utils.toMontgomerySecret(privateKey.raw.subarray(0, 32))
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) }
}

/** The X25519 public key of a peer, from its PeerId; only Ed25519 PeerIds carry a key that can be sealed to. */
export function mailboxPublicKey (peerId: string): Uint8Array {
  const id = parsePeerId(peerId)
  if (id.type !== 'Ed25519' || id.publicKey == null) {
    throw new WgtError('INVALID_INPUT', `${peerId.slice(0, 80)} is a ${id.type} PeerId; the mailbox can seal only to Ed25519 PeerIds`)
  }
  try {
    return ed25519.utils.toMontgomery(id.publicKey.raw)
  } catch (err) {
    throw new WgtError('INVALID_INPUT', `the key of ${peerId.slice(0, 80)} is not a usable Ed25519 point`, { cause: err })
  }
}

/** Tag of messages from `senderPeerId` to `recipientPeerId`; one of the two is us. */
export function tagFor (keys: MailboxKeys, recipientPeerId: string, senderPeerId: string): Uint8Array {
  return pairKeys(keys, senderPeerId, recipientPeerId).tag
}

export function seal (keys: MailboxKeys, ourPeerId: string, toPeerId: string, plaintext: Uint8Array): Sealed {
  if (plaintext.byteLength > MAX_SEALED_PLAINTEXT) {
    throw new WgtError('INVALID_INPUT', `a mailbox message holds at most ${MAX_SEALED_PLAINTEXT} bytes, not ${plaintext.byteLength}`)
  }
  const { tag, key, release } = pairKeys(keys, ourPeerId, toPeerId)
  const nonce = randomBytes(NONCE_BYTES)
  const header = Uint8Array.of(SEAL_VERSION)
  const ciphertext = xchacha20poly1305(key, nonce, associated(header, tag)).encrypt(plaintext)
  const sealed = new Uint8Array(SEAL_OVERHEAD - AEAD_TAG_BYTES + ciphertext.byteLength)
  sealed.set(header, 0)
  sealed.set(nonce, 1)
  sealed.set(ciphertext, 1 + NONCE_BYTES)
  return { tag, sealed, release: sha256(token(release, nonce)) }
}

/** The token that releases an item `fromPeerId` sealed to us (any bytes for what was not sealed by the pair: it then releases nothing). */
export function releaseToken (keys: MailboxKeys, ourPeerId: string, fromPeerId: string, sealed: Uint8Array): Uint8Array {
  const { release } = pairKeys(keys, fromPeerId, ourPeerId)
  return token(release, sealed.subarray(1, 1 + NONCE_BYTES))
}

function token (releaseKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  return sha256(concat(releaseKey, nonce))
}

/** The plaintext of a message `fromPeerId` sealed to us under `tag`; anything that does not authenticate is PROTOCOL. */
export function open (keys: MailboxKeys, ourPeerId: string, fromPeerId: string, tag: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (sealed.byteLength < SEAL_OVERHEAD || sealed.byteLength > MAX_SEALED) {
    throw new WgtError('PROTOCOL', `a sealed mailbox message is ${SEAL_OVERHEAD} to ${MAX_SEALED} bytes, not ${sealed.byteLength}`)
  }
  if (sealed[0] !== SEAL_VERSION) throw new WgtError('PROTOCOL', `unknown sealed message version ${sealed[0]}`)
  const pair = pairKeys(keys, fromPeerId, ourPeerId)
  if (!sameBytes(pair.tag, tag)) throw new WgtError('PROTOCOL', `the message is not tagged for us from ${fromPeerId}`)
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES)
  try {
    return xchacha20poly1305(pair.key, nonce, associated(sealed.subarray(0, 1), tag)).decrypt(sealed.subarray(1 + NONCE_BYTES))
  } catch (err) {
    throw new WgtError('PROTOCOL', `a mailbox message from ${fromPeerId} does not authenticate`, { cause: err })
  }
}

/** Tag and message key of the direction sender → recipient; we must be one of them. */
function pairKeys (keys: MailboxKeys, senderPeerId: string, recipientPeerId: string): { tag: Uint8Array, key: Uint8Array, release: Uint8Array } {
  const senderPub = mailboxPublicKey(senderPeerId)
  const recipientPub = mailboxPublicKey(recipientPeerId)
  let secret: Uint8Array
  if (sameBytes(senderPub, keys.publicKey)) secret = pairSecret(keys, recipientPub, recipientPeerId)
  else if (sameBytes(recipientPub, keys.publicKey)) secret = pairSecret(keys, senderPub, senderPeerId)
  else throw new WgtError('INVALID_INPUT', 'neither sender nor recipient of a mailbox message is this node')
  const direction = concat(senderPub, recipientPub)
  return {
    tag: hkdf(sha256, secret, undefined, concat(TAG_LABEL, direction), MAILBOX_TAG_BYTES),
    key: hkdf(sha256, secret, undefined, concat(KEY_LABEL, direction), 32),
    release: hkdf(sha256, secret, undefined, concat(RELEASE_LABEL, direction), 32)
  }
}

function pairSecret (keys: MailboxKeys, theirs: Uint8Array, theirPeerId: string): Uint8Array {
  let secret: Uint8Array
  try {
    secret = x25519.getSharedSecret(keys.secretKey, theirs)
  } catch (err) {
    throw new WgtError('INVALID_INPUT', `the key of ${theirPeerId.slice(0, 80)} is a low-order point: no secret can be agreed with it`, { cause: err })
  }
  // noble rejects low-order points already; checked again because an all-zero secret would make every "sealed" message public
  if (secret.every(b => b === 0)) throw new WgtError('INVALID_INPUT', `the key of ${theirPeerId.slice(0, 80)} is a low-order point: no secret can be agreed with it`)
  return secret
}

function associated (header: Uint8Array, tag: Uint8Array): Uint8Array {
  return concat(header, tag)
}

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.byteLength }
  return out
}

/** Constant-time comparison of equal-length arrays (tags are secrets). */
export function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  let diff = 0
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i]
  return diff === 0
}
