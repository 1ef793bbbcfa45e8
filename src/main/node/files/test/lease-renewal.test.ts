/**
 * The owner's node renews the leases of what it shared; a holder that no
 * longer keeps our lease answers "not renewed", and a lease nobody renews
 * lapses (the store's gc tests show it is then collected).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { FILES } from '../module.js'
import { SHARD_STORE } from '../../storage/module.js'
import { randomFile, share, Swarm, untilShardPeers } from './helpers.js'

let root: string
let swarm: Swarm | undefined
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'wgt-renew-')); return async () => { await rm(root, { recursive: true, force: true }) } })
afterEach(async () => { await swarm?.stopAll(); swarm = undefined })

describe('lease renewal', () => {
  it('renews every lease at every holder, and notices a holder that dropped ours', async () => {
    swarm = new Swarm(root)
    const a = await swarm.start('a', { shardLeaseMs: 60_000 })
    const b = await swarm.start('b')
    await swarm.start('c') // two holders for 1 + 1 shards
    await untilShardPeers(a, 2)
    const src = join(root, 'f.bin')
    await randomFile(src, 200_000)
    await share(a, src, { k: 1, m: 1 })
    const renewal = a.part(FILES).renewal
    const first = await renewal.runOnce()
    expect(first.holders).toBe(2)
    expect(first.renewed).toBeGreaterThan(0)
    expect(first.lost).toBe(0)

    // b loses what it held for us
    const store = b.part(SHARD_STORE)
    for (const cid of store.cids()) await store.delete(cid)
    const second = await renewal.runOnce()
    expect(second.lost).toBeGreaterThan(0)
    expect(second.renewed).toBeLessThan(first.renewed)
  })
})
