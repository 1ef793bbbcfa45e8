import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ShardRequest } from '../pb/shard.js'
import { putRequest } from '../shard-service.js'

describe('putRequest', () => {
  it('decodes to the PUT ShardRequest.encode would send, with the shard as given and no copy made while building it', () => {
    for (const size of [0, 1, 127, 128, 16_384, 1 << 20]) {
      const data = randomBytes(size)
      const list = putRequest('bafkreiabc', data, 86_400_000, 'bafkreigroup')
      expect([...list].at(-1)).toBe(data)
      const viaEncode = ShardRequest.encode({ kind: ShardRequest.Kind.PUT, cid: 'bafkreiabc', data, leaseMs: 86_400_000, cids: [], nonce: new Uint8Array(0), group: 'bafkreigroup' })
      // proto3 leaves an empty field out; we write it (2 bytes), which decodes the same
      expect(list.byteLength).toBe(viaEncode.byteLength + (size === 0 ? 2 : 0))
      const got = ShardRequest.decode(list.subarray())
      expect(got).toEqual(ShardRequest.decode(viaEncode))
      expect(Buffer.from(got.data).equals(data)).toBe(true)
    }
  })

  it('without a group leaves the field absent, as a root record PUT has it', () => {
    const got = ShardRequest.decode(putRequest('bafkreiabc', Uint8Array.of(1, 2, 3), 1000).subarray())
    expect(got.group).toBeUndefined()
    expect(got.kind).toBe(ShardRequest.Kind.PUT)
  })
})
