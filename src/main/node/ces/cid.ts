/**
 * Shard addresses: CIDv1, codec raw, multihash sha2-256, base32 — the form
 * libp2p content routing (DHT provide/findProviders) understands.
 * SHA-256 runs in node:crypto (SHA-NI, ~1.6 GB/s here).
 */
import { hash, webcrypto } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest, equals as digestEquals } from 'multiformats/hashes/digest'

const SHA2_256 = 0x12

export function cidOf (bytes: Uint8Array): string {
  return cidFromDigest(hash('sha256', bytes, 'buffer'))
}

/**
 * The same CIDs, hashed on libuv's thread pool (WebCrypto digest jobs run
 * there), so the caller's thread can do other work meanwhile: the encoder
 * hashes the plaintext while the shards are hashed, which lifted CES encode
 * on random data from ~0.6× to ~0.9× of the single-core native ceiling here
 * (bench/ces.js).
 */
export async function cidsOffThread (shards: Uint8Array[]): Promise<string[]> {
  const digests = await Promise.all(shards.map(async s => await webcrypto.subtle.digest('SHA-256', s as Uint8Array<ArrayBuffer>)))
  return digests.map(d => cidFromDigest(new Uint8Array(d)))
}

function cidFromDigest (digest: Uint8Array): string {
  return CID.createV1(raw.code, createDigest(SHA2_256, digest)).toString()
}

/** The CID object for a shard address (for contentRouting); null when it is not a raw sha2-256 CIDv1. */
export function parseShardCid (cid: string): CID | null {
  try {
    const parsed = CID.parse(cid)
    if (parsed.version !== 1 || parsed.code !== raw.code || parsed.multihash.code !== SHA2_256) return null
    return parsed as CID
  } catch {
    return null
  }
}

export function verifyShard (cid: string, bytes: Uint8Array): boolean {
  const parsed = parseShardCid(cid)
  if (parsed === null) return false
  return digestEquals(parsed.multihash, createDigest(SHA2_256, hash('sha256', bytes, 'buffer')))
}
