/**
 * Per-segment AEAD: AES-256-GCM from node:crypto (bulk bytes; ~20× faster here
 * than pure JS), subkeys from HKDF-SHA256 (@noble/hashes).
 *
 * Nonce = u32 segment index ‖ 8 random bytes, stored in front of the
 * ciphertext. The index part keeps nonces distinct within one encode; the
 * random part keeps them distinct if a caller ever encrypts again under the
 * same key and file id (e.g. a manifest rewritten after repair), where a
 * counter alone would repeat a nonce — fatal for GCM.
 *
 * AAD = label ‖ domain ‖ fileId ‖ segment index ‖ plainSize ‖ compressed flag,
 * so a segment moved to another file, position or domain, or with its flags
 * edited in the record, fails authentication.
 */
import { createCipheriv, createDecipheriv, getRandomValues, type Cipheriv, type Decipheriv } from 'node:crypto'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { WgtError } from '../../../shared/errors.js'
import type { CesDomain } from './types.js'

export const KEY_BYTES = 32
export const FILE_ID_BYTES = 16
export const NONCE_BYTES = 12
export const TAG_BYTES = 16
/** nonce + tag: what encryption adds to each segment's payload */
export const SEGMENT_OVERHEAD = NONCE_BYTES + TAG_BYTES

const LABEL = new TextEncoder().encode('wgt/ces/v1\0')
const DOMAIN_BYTE: Record<CesDomain, number> = { data: 0, manifest: 1 }

export function newFileKey (): Uint8Array {
  return getRandomValues(new Uint8Array(KEY_BYTES))
}

export function newFileId (): Uint8Array {
  return getRandomValues(new Uint8Array(FILE_ID_BYTES))
}

export function checkKeyMaterial (key: Uint8Array, fileId: Uint8Array, domain: CesDomain): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw new WgtError('INVALID_INPUT', `file key must be ${KEY_BYTES} bytes`)
  if (!(fileId instanceof Uint8Array) || fileId.length !== FILE_ID_BYTES) throw new WgtError('INVALID_INPUT', `file id must be ${FILE_ID_BYTES} bytes`)
  if (!(domain in DOMAIN_BYTE)) throw new WgtError('INVALID_INPUT', `unknown CES domain ${String(domain)}`)
}

/** One subkey per (file key, file id, domain): data and manifest never share a GCM key. */
export function deriveSubkey (key: Uint8Array, fileId: Uint8Array, domain: CesDomain): Uint8Array {
  return hkdf(sha256, key, fileId, new TextEncoder().encode(`wgt/ces/v1/${domain}`), 32)
}

function aad (domain: CesDomain, fileId: Uint8Array, segment: number, plainSize: number, compressed: boolean): Uint8Array {
  const out = new Uint8Array(LABEL.length + 1 + FILE_ID_BYTES + 8 + 8 + 1)
  const view = new DataView(out.buffer)
  let o = 0
  out.set(LABEL, o); o += LABEL.length
  out[o++] = DOMAIN_BYTE[domain]
  out.set(fileId, o); o += FILE_ID_BYTES
  view.setBigUint64(o, BigInt(segment)); o += 8
  view.setBigUint64(o, BigInt(plainSize)); o += 8
  out[o] = compressed ? 1 : 0
  return out
}

export interface SealInput {
  subkey: Uint8Array
  domain: CesDomain
  fileId: Uint8Array
  segment: number
  plainSize: number
  compressed: boolean
}

/**
 * Encrypts payload as nonce ‖ ciphertext ‖ tag into `parts`, consecutive
 * pieces written as if they were one buffer (a segment's data shards, each
 * its own buffer). So the sealed segment is laid out once, where
 * Reed-Solomon reads it. Returns the sealed size.
 */
export function sealInto (parts: readonly Uint8Array[], payload: Uint8Array, s: SealInput): number {
  const room = parts.reduce((a, p) => a + p.length, 0)
  if (room < payload.length + SEGMENT_OVERHEAD) throw new WgtError('INTERNAL', `segment ${s.segment}: ${room} bytes to seal ${payload.length} into`)
  const nonce = new Uint8Array(NONCE_BYTES)
  new DataView(nonce.buffer).setUint32(0, s.segment)
  getRandomValues(nonce.subarray(4))
  const cipher = createCipheriv('aes-256-gcm', s.subkey, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad(s.domain, s.fileId, s.segment, s.plainSize, s.compressed))
  let at = scatter(parts, 0, nonce)
  updateInPieces(cipher, payload, piece => { at = scatter(parts, at, piece) })
  at = scatter(parts, at, cipher.final())
  return scatter(parts, at, cipher.getAuthTag())
}

const SEAL_PIECE = 64 * 1024

/**
 * input through the cipher, handing each piece of output to emit.
 * In 64 KiB pieces: each piece's output is a small buffer malloc reuses
 * while it is still in cache, where one update() of the whole segment
 * returns 4 MiB of fresh, page-faulting memory to copy from. Sealing 4 MiB
 * segments into fresh stripes measured 846 MB/s whole, 2152 MB/s in 64 KiB
 * pieces (both forms interleaved in one process, medians of 15 rounds).
 */
function updateInPieces (cipher: Cipheriv | Decipheriv, input: Uint8Array, emit: (piece: Uint8Array) => void): void {
  for (let i = 0; i < input.length; i += SEAL_PIECE) emit(cipher.update(input.subarray(i, i + SEAL_PIECE)))
}

/** Writes bytes at offset `at` of parts' concatenation; returns where they end. */
function scatter (parts: readonly Uint8Array[], at: number, bytes: Uint8Array): number {
  let from = 0
  forEachRange(parts, at, bytes.length, view => { view.set(bytes.subarray(from, from + view.length)); from += view.length })
  return at + bytes.length
}

/**
 * Decrypts a sealed segment handed over as consecutive pieces (a segment's
 * data shards: their concatenation, cut at sealedSize, is what sealInto
 * wrote) into `out`, and returns the payload as a view of it. The shards are
 * not concatenated first and the payload gets no buffer of its own, so a
 * fetch that reuses `out` allocates only the 64 KiB pieces decipher.update
 * returns, short-lived garbage a young collection takes. On a wrong key or
 * damaged data it throws INTEGRITY; `out` then holds unauthenticated bytes,
 * which the caller must not use.
 */
export function openInto (parts: readonly Uint8Array[], sealedSize: number, out: Uint8Array, s: SealInput): Uint8Array {
  const bodySize = sealedSize - SEGMENT_OVERHEAD
  if (bodySize < 0 || parts.reduce((a, p) => a + p.length, 0) < sealedSize) throw new WgtError('INTEGRITY', `segment ${s.segment}: sealed data is cut short`)
  if (out.length < bodySize) throw new WgtError('INTERNAL', `segment ${s.segment}: ${out.length}-byte buffer for a ${bodySize}-byte payload`)
  try {
    const decipher = createDecipheriv('aes-256-gcm', s.subkey, gather(parts, 0, NONCE_BYTES), { authTagLength: TAG_BYTES })
    decipher.setAAD(aad(s.domain, s.fileId, s.segment, s.plainSize, s.compressed))
    decipher.setAuthTag(gather(parts, sealedSize - TAG_BYTES, TAG_BYTES))
    let at = 0
    const emit = (piece: Uint8Array): void => { out.set(piece, at); at += piece.length }
    forEachRange(parts, NONCE_BYTES, bodySize, view => { updateInPieces(decipher, view, emit) })
    const rest = decipher.final()
    out.set(rest, at)
    return out.subarray(0, bodySize)
  } catch (err) {
    throw new WgtError('INTEGRITY', `wrong key or damaged data (segment ${s.segment})`, { cause: err })
  }
}

/** Calls fn with the views of parts' concatenation that cover [start, start + length). */
function forEachRange (parts: readonly Uint8Array[], start: number, length: number, fn: (view: Uint8Array) => void): void {
  let base = 0
  const end = start + length
  for (const part of parts) {
    const from = Math.max(start, base)
    const to = Math.min(end, base + part.length)
    if (from < to) fn(part.subarray(from - base, to - base))
    base += part.length
    if (base >= end) break
  }
}

/** A copy of [start, start + length) of parts' concatenation (nonce and tag may straddle two shards). */
function gather (parts: readonly Uint8Array[], start: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let at = 0
  forEachRange(parts, start, length, view => { out.set(view, at); at += view.length })
  return out
}
