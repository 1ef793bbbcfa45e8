import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { base58btc } from 'multiformats/bases/base58'
import { identity } from 'multiformats/hashes/identity'
import { beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { MAX_SEALED_PLAINTEXT, mailboxKeys, mailboxPublicKey, open, releaseToken, seal, tagFor, type MailboxKeys } from '../mailbox/seal.js'

interface Who { id: string, keys: MailboxKeys, key: PrivateKey }
async function someone (): Promise<Who> {
  const key = await generateKeyPair('Ed25519')
  return { id: peerIdFromPrivateKey(key).toString(), keys: mailboxKeys(key), key }
}

/** A PeerId that carries the given raw Ed25519 public key (no check that it is a sound point). */
function ed25519PeerIdOf (raw: Uint8Array): string {
  const proto = publicKeyToProtobuf({ type: 'Ed25519', raw } as any)
  return base58btc.encode(identity.digest(proto).bytes).slice(1)
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const contains = (hay: Uint8Array, needle: Uint8Array): boolean => Buffer.from(hay).includes(Buffer.from(needle))
// an RSA PeerId (a hash of the key: no key to seal to) and a secp256k1 one
const RSA_PEER = 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'

let a: Who, b: Who, c: Who
beforeAll(async () => { [a, b, c] = await Promise.all([someone(), someone(), someone()]) })

describe('mailbox sealing', () => {
  it('what a seals to b, b opens; c cannot, nor can b as if it came from c', () => {
    const { tag, sealed } = seal(a.keys, a.id, b.id, text('hello b'))
    expect(new TextDecoder().decode(open(b.keys, b.id, a.id, tag, sealed))).toBe('hello b')
    // c computes another tag for "from a" and another key
    expect(() => open(c.keys, c.id, a.id, tag, sealed)).toThrow(expect.objectContaining({ code: 'PROTOCOL' }))
    expect(() => open(b.keys, b.id, c.id, tag, sealed)).toThrow(expect.objectContaining({ code: 'PROTOCOL' }))
    // the ciphertext does not carry the plaintext, and each seal is fresh
    expect(contains(sealed, text('hello b'))).toBe(false)
    expect(Buffer.from(seal(a.keys, a.id, b.id, text('hello b')).sealed).equals(Buffer.from(sealed))).toBe(false)
  })

  it('the recipient (only) can compute the token whose hash the sender left with the holder, a new one per message', () => {
    const first = seal(a.keys, a.id, b.id, text('one'))
    const second = seal(a.keys, a.id, b.id, text('one'))
    const token = releaseToken(b.keys, b.id, a.id, first.sealed)
    expect(Buffer.from(sha256(token)).equals(Buffer.from(first.release))).toBe(true)
    expect(Buffer.from(first.release).equals(Buffer.from(second.release))).toBe(false)
    // the holder has tag, sealed bytes and hash; c, with all of them, gets another token
    expect(Buffer.from(sha256(releaseToken(c.keys, c.id, a.id, first.sealed))).equals(Buffer.from(first.release))).toBe(false)
    expect(contains(first.sealed, token) || contains(first.tag, token)).toBe(false)
  })

  it('a flipped bit anywhere in version, nonce, ciphertext or tag fails as PROTOCOL', () => {
    const { tag, sealed } = seal(a.keys, a.id, b.id, text('integrity'))
    for (const at of [0, 1, 24, 25, sealed.length - 1]) {
      const bad = Uint8Array.from(sealed)
      bad[at] ^= 0x01
      expect(() => open(b.keys, b.id, a.id, tag, bad)).toThrow(expect.objectContaining({ code: 'PROTOCOL' }))
    }
    const badTag = Uint8Array.from(tag)
    badTag[3] ^= 0x80
    expect(() => open(b.keys, b.id, a.id, badTag, sealed)).toThrow(expect.objectContaining({ code: 'PROTOCOL' }))
    expect(() => open(b.keys, b.id, a.id, tag, sealed.subarray(0, 20))).toThrow(expect.objectContaining({ code: 'PROTOCOL' }))
  })

  it('tags: both ends compute the same, they differ per direction and per pair, and do not carry the keys', () => {
    const ab = tagFor(a.keys, b.id, a.id)
    expect(ab).toHaveLength(16)
    expect(tagFor(b.keys, b.id, a.id)).toEqual(ab)
    expect(seal(a.keys, a.id, b.id, text('x')).tag).toEqual(ab)
    const ba = tagFor(a.keys, a.id, b.id)
    expect(ba).not.toEqual(ab)
    expect(tagFor(a.keys, c.id, a.id)).not.toEqual(ab)
    expect(tagFor(c.keys, b.id, c.id)).not.toEqual(ab)
    for (const who of [a, b]) {
      const pub = who.key.publicKey.raw
      expect(contains(ab, pub.subarray(0, 8))).toBe(false)
      expect(contains(ab, mailboxPublicKey(who.id).subarray(0, 8))).toBe(false)
    }
    // a third party knows both PeerIds but not the pair secret
    expect(() => tagFor(c.keys, b.id, a.id)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
  })

  it('the plaintext is bounded', () => {
    expect(seal(a.keys, a.id, b.id, new Uint8Array(MAX_SEALED_PLAINTEXT)).sealed.length).toBeGreaterThan(MAX_SEALED_PLAINTEXT)
    expect(() => seal(a.keys, a.id, b.id, new Uint8Array(MAX_SEALED_PLAINTEXT + 1))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
  })

  it('only Ed25519 identities and PeerIds take part, and a low-order key is refused', async () => {
    const secp = await generateKeyPair('secp256k1')
    expect(() => mailboxKeys(secp)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/Ed25519 identity/) }))
    const secpId = peerIdFromPrivateKey(secp).toString()
    for (const id of [secpId, RSA_PEER]) {
      expect(() => mailboxPublicKey(id)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/only to Ed25519 PeerIds/) }))
      expect(() => seal(a.keys, a.id, id, text('x'))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
    }
    // y = -1: the point of order 2, which maps to u = 0 on Curve25519
    const order2 = new Uint8Array(32).fill(0xff)
    order2[0] = 0xec
    order2[31] = 0x7f
    const lowId = ed25519PeerIdOf(order2)
    expect(() => seal(a.keys, a.id, lowId, text('x'))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/low-order point/) }))
    // y = 1, the neutral element
    const neutral = new Uint8Array(32)
    neutral[0] = 1
    expect(() => seal(a.keys, a.id, ed25519PeerIdOf(neutral), text('x'))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/not a usable Ed25519 point/) }))
  })
})
