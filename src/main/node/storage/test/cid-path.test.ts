import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { base32 } from 'multiformats/bases/base32'
import { WgtError } from '../../../../shared/errors.js'
import { parseShardCid } from '../../ces/cid.js'
import { fanoutDir, shardPath } from '../cid-path.js'
import { cidOf } from './helpers.js'

const digest = createHash('sha256').update('hello').digest()
const good = cidOf(new TextEncoder().encode('hello'))

function rejects (value: unknown): void {
  let thrown: unknown
  try { parseShardCid(value) } catch (err) { thrown = err }
  expect(thrown, `accepted ${String(value).slice(0, 80)}`).toBeInstanceOf(WgtError)
  expect((thrown as WgtError).code).toBe('INVALID_INPUT')
}

describe('parseShardCid', () => {
  it('accepts a CIDv1 raw sha2-256 base32 string and returns its digest', () => {
    expect(good).toMatch(/^bafkrei/)
    const parsed = parseShardCid(good)
    expect(parsed.text).toBe(good)
    expect(Buffer.from(parsed.digest).equals(digest)).toBe(true)
  })

  it('rejects path tricks, absolute paths and junk', () => {
    for (const bad of ['../x', '..', '.', '', '/etc/passwd', 'C:\\Windows\\x', `../${good}`, `${good}/..`, `${good.slice(0, 30)}/${good.slice(31)}`,
      `${good}\n`, ` ${good}`, `${good}\0`, `${good.slice(0, -1)}.`, 'b' + '.'.repeat(58)]) rejects(bad)
  })

  it('rejects non-strings', () => {
    for (const bad of [undefined, null, 42, {}, [good], new TextEncoder().encode(good)]) rejects(bad)
  })

  it('rejects huge strings (by their length, before any parsing)', () => {
    rejects('b' + 'a'.repeat(10_000_000))
    rejects(good + 'a'.repeat(10_000_000))
  })

  it('rejects upper case and other multibases for the same CID', () => {
    rejects(good.toUpperCase())
    const cid = CID.parse(good)
    rejects(cid.toString(base32.encoder).replace(/^b/, 'B'))
    rejects(cid.toV1().toString().replace(/^b/, 'c'))
    rejects(CID.parse(good).toString().slice(0, -1)) // truncated
  })

  it('rejects other codecs, other hashes and CIDv0', () => {
    const mh = Digest.create(0x12, digest)
    rejects(CID.createV1(0x70, mh).toString()) // dag-pb: same length, right alphabet
    rejects(CID.createV1(0x71, mh).toString()) // dag-cbor
    rejects(CID.createV0(mh).toString()) // Qm…
    rejects(CID.createV1(raw.code, Digest.create(0x00, digest)).toString()) // identity multihash, 32 bytes
    rejects(CID.createV1(raw.code, Digest.create(0x16, digest)).toString()) // sha3-256 claimed
    rejects(CID.createV1(raw.code, Digest.create(0x12, digest.subarray(0, 20))).toString()) // short digest
  })

  it('rejects a non-canonical spelling whose padding bits differ', () => {
    // The last base32 character carries 3 data bits and 2 padding bits.
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
    const last = alphabet.indexOf(good.at(-1) as string)
    const variant = good.slice(0, -1) + alphabet[last ^ 1]
    expect(variant).not.toBe(good)
    rejects(variant)
  })
})

describe('shardPath', () => {
  it('stays inside the root, in a two-character fan-out directory', () => {
    expect(fanoutDir(good)).toMatch(/^[a-z2-7]{2}$/)
    expect(shardPath('/data/shards', good)).toBe(`/data/shards/${fanoutDir(good)}/${good}`)
  })

  it('spreads CIDs over many directories', () => {
    const dirs = new Set<string>()
    for (let i = 0; i < 500; i++) dirs.add(fanoutDir(cidOf(new TextEncoder().encode(String(i)))))
    expect(dirs.size).toBeGreaterThan(300)
  })
})
