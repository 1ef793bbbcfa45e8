import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { lpStream } from '@libp2p/utils'
import type { Libp2p } from '@libp2p/interface'
import type { Capacity } from '../../../../shared/api/index.js'
import { capacity, CAPACITY_PROTOCOL, type CapacityInit, type CapacityService } from '../capacity.js'
import { capacityProblem, measureCapacity, worthPushing } from '../capacity-measure.js'
import { CpuLoad } from '../cpu-load.js'
import { CapacityMessage } from '../pb/capacity.js'
import { makeNode, ViolationLog, waitFor } from './nodes.js'

const dataDir = mkdtempSync(join(tmpdir(), 'wgt-capacity-'))
afterAll(() => { rmSync(dataDir, { recursive: true, force: true }) })

type CapNode = Libp2p<{ capacity: CapacityService }>
const started: Libp2p[] = []
afterEach(async () => { await Promise.all(started.splice(0).map(async n => { await n.stop() })) })

async function capNode (log = new ViolationLog(), intervalMs = 200, init: Partial<CapacityInit> = {}): Promise<CapNode> {
  const node = await makeNode({ capacity: capacity({ dataDir, reputation: log, intervalMs, idleIntervalMs: intervalMs, resendAfterMs: 2 * intervalMs, ...init }) }) as unknown as CapNode
  started.push(node)
  return node
}

function meminfo (key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))
  if (m == null) throw new Error(`no ${key} in /proc/meminfo`)
  return Number(m[1]) * 1024
}

const valid: Capacity = { cores: 8, cpuLoad: 12.5, memTotal: 16e9, memFree: 8e9, diskTotal: 500e9, diskFree: 100e9, measuredAt: Date.now() }

describe('capacity measurement', () => {
  it('matches the OS: cores, /proc/meminfo and df for the data directory', async () => {
    const c = await measureCapacity(dataDir, new CpuLoad())
    expect(c.cores).toBe(cpus().length)
    expect(c.cpuLoad).toBeGreaterThanOrEqual(0)
    expect(c.cpuLoad).toBeLessThanOrEqual(100)
    expect(c.memTotal).toBe(meminfo('MemTotal'))
    expect(Math.abs(c.memFree - meminfo('MemAvailable'))).toBeLessThan(256 * 1024 * 1024)
    const [size, avail] = execFileSync('df', ['-B1', '--output=size,avail', dataDir], { encoding: 'utf8' }).trim().split('\n')[1].trim().split(/\s+/).map(Number)
    expect(c.diskTotal).toBe(size)
    expect(Math.abs(c.diskFree - avail)).toBeLessThan(256 * 1024 * 1024)
    expect(Math.abs(c.measuredAt - Date.now())).toBeLessThan(5000)
  })

  it('bounds every field of a peer\'s advertisement', () => {
    const now = Date.now()
    expect(capacityProblem(valid, now, 60_000)).toBeNull()
    const bad: Array<Partial<Capacity>> = [
      { cores: 0 }, { cores: 4097 }, { cores: 1.5 }, { cpuLoad: -1 }, { cpuLoad: 100.1 }, { cpuLoad: NaN },
      { memTotal: Infinity }, { memFree: -1 }, { memFree: 17e9 }, { diskFree: 501e9 }, { diskTotal: -5 },
      { measuredAt: now + 120_000 }, { measuredAt: NaN }
    ]
    for (const b of bad) expect(capacityProblem({ ...valid, ...b }, now, 60_000), JSON.stringify(b)).not.toBeNull()
  })

  it('pushes a measurement that changed noticeably or has grown old, not every wobble of the load', () => {
    const t = valid.measuredAt
    expect(worthPushing(null, valid, 60_000)).toBe(true)
    expect(worthPushing(valid, { ...valid, cpuLoad: 16, memFree: valid.memFree + 1e6, measuredAt: t + 5000 }, 60_000)).toBe(false)
    expect(worthPushing(valid, { ...valid, cpuLoad: 22.5, measuredAt: t + 5000 }, 60_000)).toBe(true)
    expect(worthPushing(valid, { ...valid, memFree: valid.memFree - 0.2e9, measuredAt: t + 5000 }, 60_000)).toBe(true)
    expect(worthPushing(valid, { ...valid, diskFree: valid.diskFree + 5e9, measuredAt: t + 5000 }, 60_000)).toBe(true)
    expect(worthPushing(valid, { ...valid, cores: 16, measuredAt: t + 5000 }, 60_000)).toBe(true)
    expect(worthPushing(valid, { ...valid, measuredAt: t + 60_000 }, 60_000)).toBe(true)
  })
})

describe('capacity protocol', () => {
  it('advertises local capacity to connected peers, refreshes, and forgets on disconnect', async () => {
    const a = await capNode()
    const b = await capNode()
    const A = a.peerId.toString()
    const updates: string[] = []
    b.services.capacity.onUpdate(id => { updates.push(id) })
    await a.dial(b.getMultiaddrs()[0])
    await waitFor(() => b.services.capacity.remote(A) != null, 5000, 'b to learn a\'s capacity')
    expect(updates).toContain(A)
    expect(updates).toContain('self')
    const first = b.services.capacity.remote(A)!
    expect(first.cores).toBe(cpus().length)
    // later refreshes keep arriving
    await waitFor(() => b.services.capacity.remote(A)!.measuredAt > first.measuredAt, 5000, 'a newer advertisement')
    const local = a.services.capacity.local()!
    expect(local.cores).toBe(first.cores)
    expect(local.memTotal).toBe(first.memTotal)

    await a.hangUp(b.peerId)
    await waitFor(() => b.services.capacity.remote(A) == null, 5000, 'b to forget a')
    expect(updates.filter(u => u === A).length).toBeGreaterThanOrEqual(2)
  })

  it('rejects out-of-bounds, malformed and oversized advertisements as violations', async () => {
    const log = new ViolationLog()
    const b = await capNode(log, 3_600_000)
    const c = await makeNode({}) as unknown as Libp2p
    started.push(c)
    await c.dial(b.getMultiaddrs()[0])
    const C = c.peerId.toString()
    const send = async (bytes: Uint8Array): Promise<void> => {
      const s = await c.dialProtocol(b.peerId, CAPACITY_PROTOCOL)
      await lpStream(s).write(bytes)
    }

    await send(CapacityMessage.encode({ ...valid, cores: 0 }))
    await waitFor(() => log.entries.length === 1, 5000, 'cores violation')
    expect(log.entries[0]).toMatchObject({ peerId: C })
    expect(log.entries[0].reason).toMatch(/cores/)

    await send(CapacityMessage.encode({ ...valid, measuredAt: Date.now() + 3_600_000 }))
    await waitFor(() => log.entries.length === 2, 5000, 'future violation')
    expect(log.entries[1].reason).toMatch(/future/)

    await send(Uint8Array.from([0x0f, 0xff, 0xff]))
    await waitFor(() => log.entries.length === 3, 5000, 'malformed violation')
    expect(log.entries[2].reason).toMatch(/malformed/)

    const s = await c.dialProtocol(b.peerId, CAPACITY_PROTOCOL)
    s.send(Uint8Array.from([0xe8, 0x07])) // declares 1000 bytes, above the 128-byte bound
    await waitFor(() => log.entries.length === 4, 5000, 'oversize violation')
    expect(b.services.capacity.remote(C)).toBeNull()

    await send(CapacityMessage.encode(valid))
    await waitFor(() => b.services.capacity.remote(C) != null, 5000, 'a valid advertisement to be kept')
    expect(b.services.capacity.remote(C)).toEqual(valid)
    expect(log.entries).toHaveLength(4)
  })

  it('does not overlap refreshes and stops refreshing on stop()', async () => {
    const a = await capNode(new ViolationLog(), 100)
    const [x, y] = await Promise.all([a.services.capacity.refresh(), a.services.capacity.refresh()])
    expect(x).toBe(y)
    await a.services.capacity.stop()
    const last = a.services.capacity.local()!.measuredAt
    await new Promise(resolve => setTimeout(resolve, 400))
    expect(a.services.capacity.local()!.measuredAt).toBe(last)
  })

  it('refreshes each idleIntervalMs while nobody watches, each intervalMs while someone does', async () => {
    let live = false
    const a = await capNode(new ViolationLog(), 100, { idleIntervalMs: 3_600_000, live: () => live })
    let refreshes = 0
    a.services.capacity.onUpdate(id => { if (id === 'self') refreshes++ })
    await waitFor(() => a.services.capacity.local() != null, 5000, 'the first measurement')
    const first = a.services.capacity.local()!.measuredAt
    // ten wake-ups of the loop, none due
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(a.services.capacity.local()!.measuredAt).toBe(first)
    live = true
    await waitFor(() => refreshes >= 3, 5000, 'refreshes while watched')
    live = false
    await new Promise(resolve => setTimeout(resolve, 300))
    const settled = refreshes
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(refreshes).toBe(settled)
  })
})
