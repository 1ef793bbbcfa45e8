/**
 * A length prefix that never ends (0xff 0xff ...) must be refused after the
 * longest varint a length can be, on every protocol: @libp2p/utils 7.4.1 took
 * the too-long varint's RangeError for "need more bytes" and read forever
 * (eight such streams took a daemon from 391 to 660 MiB). patches/ fixes it
 * at its cause; this test fails if the patch is not applied.
 */
import { LengthPrefixedDecoder, lpStream, pbStream, streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { isWireViolation } from '../stream.js'

const endless = (n: number): Uint8Array => new Uint8Array(n).fill(0xff)

describe('endless varint length prefix', () => {
  it('lpStream with a bound refuses it as a wire violation', async () => {
    const [a, b] = await streamPair()
    const reader = lpStream(b, { maxDataLength: 1024 })
    const read = reader.read({ signal: AbortSignal.timeout(10_000) })
    const failed = read.then(() => undefined, (err: Error) => err)
    a.send(endless(64))
    const err = await failed
    expect(err).toBeInstanceOf(Error)
    expect(isWireViolation(err)).toBe(true)
    a.abort(new Error('done')); b.abort(new Error('done'))
  })

  it('pbStream without a bound (as kad-dht uses it) refuses it too', async () => {
    const [a, b] = await streamPair()
    const reader = pbStream(b).pb({ encode: (x: Uint8Array) => x, decode: (x: Uint8Array | { subarray: () => Uint8Array }) => x })
    const failed = reader.read({ signal: AbortSignal.timeout(10_000) }).then(() => undefined, (err: Error) => err)
    for (let i = 0; i < 4; i++) a.send(endless(16))
    const err = await failed
    expect(err?.name).toBe('InvalidDataLengthLengthError')
    a.abort(new Error('done')); b.abort(new Error('done'))
  })

  it('the buffered decoder refuses it after ten bytes', () => {
    const decoder = new LengthPrefixedDecoder()
    expect(() => [...decoder.decode(endless(9))]).not.toThrow()
    expect(() => [...decoder.decode(endless(1))]).toThrow(/varint not ended/)
  })
})
