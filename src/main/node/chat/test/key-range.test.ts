/** The level database's own range reads and the sorted listing any datastore gives answer alike. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryDatastore } from 'datastore-core'
import { LevelDatastore } from 'datastore-level'
import { Key } from 'interface-datastore'
import { afterAll, describe, expect, it } from 'vitest'
import { keyRange, type RangeOptions } from '../key-range.js'

const dirs: string[] = []
afterAll(async () => { await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) })) })

describe('keyRange', () => {
  it('answers the same keys from a LevelDatastore and a MemoryDatastore', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wgt-range-'))
    dirs.push(dir)
    const level = new LevelDatastore(dir)
    await level.open()
    const memory = new MemoryDatastore()
    for (const ds of [level, memory]) {
      for (let i = 0; i < 300; i++) await ds.put(new Key(`/p/a/${String(i).padStart(5, '0')}`), Uint8Array.of(1))
      await ds.put(new Key('/p/b/00001'), Uint8Array.of(1))
      await ds.put(new Key('/p/0'), Uint8Array.of(1))
    }
    const ask: RangeOptions[] = [
      { prefix: '/p/a/', reverse: true, limit: 51 },
      { prefix: '/p/a/', lt: '00100', reverse: true, limit: 10 },
      { prefix: '/p/a/', gte: '00295', reverse: false, limit: 100 },
      { prefix: '/p/a/', lt: '00000', reverse: true, limit: 10 },
      { prefix: '/p/c/', reverse: true, limit: 10 }
    ]
    for (const opts of ask) {
      const fromLevel = await keyRange(level)(opts)
      expect(fromLevel).toEqual(await keyRange(memory)(opts))
    }
    expect(await keyRange(level)(ask[1])).toEqual(['00099', '00098', '00097', '00096', '00095', '00094', '00093', '00092', '00091', '00090'])
    expect(await keyRange(level)(ask[2])).toEqual(['00295', '00296', '00297', '00298', '00299'])
    expect(await keyRange(level)(ask[3])).toEqual([])
    await level.close()
  })
})
