import { MemoryDatastore } from 'datastore-core'
import { describe, expect, it } from 'vitest'
import { cidOf, newFileId, parseShardCid } from '../../ces/index.js'
import { ShardGroups, fileGroupCid } from '../groups.js'

const shard = (n: number): string => cidOf(new Uint8Array([n]))

describe('file groups', () => {
  it('derives a shard-style CID from the file id: the same id gives the same group, another id another', () => {
    const id = newFileId()
    const group = fileGroupCid(id)
    expect(() => parseShardCid(group)).not.toThrow()
    expect(fileGroupCid(Uint8Array.from(id))).toBe(group)
    expect(fileGroupCid(newFileId())).not.toBe(group)
    // not the CID of the bare id: a group cannot be mistaken for a shard whose bytes are the id
    expect(group).not.toBe(cidOf(id))
  })

  it('names the group only when its last shard here is removed, and survives a new index on the same datastore', async () => {
    const ds = new MemoryDatastore()
    const a = fileGroupCid(newFileId())
    const b = fileGroupCid(newFileId())
    const groups = new ShardGroups(ds)
    await groups.add(shard(1), a)
    await groups.add(shard(2), a)
    await groups.add(shard(3), b)
    expect(await groups.remove(shard(1))).toBeNull()
    // a restart: the index is the datastore's
    const again = new ShardGroups(ds)
    expect(await again.remove(shard(3))).toBe(b)
    expect(await again.remove(shard(2))).toBe(a)
    // removed twice, or stored without a group: nothing to withdraw
    expect(await again.remove(shard(2))).toBeNull()
    expect(await again.remove(shard(4))).toBeNull()
  })
})
