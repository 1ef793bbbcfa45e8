import { describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { cidOf, decodeLink, encodeLink, isShardCid, newFileKey, parseShardCid, verifyShard } from '../index.js'
import { equalBytes } from './helpers.js'

describe('shard CIDs', () => {
  it('are base32 CIDv1 raw sha2-256 and verify only the exact bytes', () => {
    const bytes = new TextEncoder().encode('hello')
    const cid = cidOf(bytes)
    // the well-known CID of "hello" as a raw block
    expect(cid).toBe('bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq')
    expect(parseShardCid(cid).text).toBe(cid)
    expect(verifyShard(cid, bytes)).toBe(true)
    expect(verifyShard(cid, new TextEncoder().encode('hellp'))).toBe(false)
    expect(verifyShard('not a cid', bytes)).toBe(false)
    // CIDv0 / dag-pb addresses are not shard addresses
    expect(isShardCid('QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u')).toBe(false)
    expect(() => parseShardCid('QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u')).toThrow(WgtError)
  })
})

describe('links', () => {
  const manifestId = cidOf(new Uint8Array([1, 2, 3]))

  it('round trip', () => {
    const key = newFileKey()
    const link = encodeLink(manifestId, key)
    expect(link).toMatch(/^wgt:\/\/bafkrei[a-z2-7]+#[A-Za-z0-9_-]{43}$/)
    const back = decodeLink(`  ${link}\n`)
    expect(back.manifestId).toBe(manifestId)
    expect(equalBytes(back.key, key)).toBe(true)
  })

  it.each([
    ['', /expected wgt:/],
    ['https://example.com/#abc', /expected wgt:/],
    [`wgt://${manifestId}`, /key .* missing/],
    [`wgt://${manifestId}#short`, /43 base64url/],
    [`wgt://${manifestId}#${'A'.repeat(42)}+`, /43 base64url/],
    [`wgt://${manifestId}#${'A'.repeat(42)}B`, /bad key/], // non-canonical trailing bits
    [`wgt://nonsense#${'A'.repeat(43)}`, /bad manifest id/]
  ])('rejects %j', (link, why) => {
    let err: unknown
    try { decodeLink(link) } catch (e) { err = e }
    expect(err).toBeInstanceOf(WgtError)
    expect((err as WgtError).code).toBe('INVALID_INPUT')
    expect((err as WgtError).message).toMatch(why)
  })

  it('refuses to build a link from a bad id or key', () => {
    expect(() => encodeLink('nonsense', newFileKey())).toThrow(WgtError)
    expect(() => encodeLink(manifestId, new Uint8Array(16))).toThrow(WgtError)
  })
})
