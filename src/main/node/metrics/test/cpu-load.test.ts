import { cpus } from 'node:os'
import { describe, expect, it } from 'vitest'
import { CpuLoad, cpuTimes, type CpuTimes } from '../cpu-load.js'

describe('CpuLoad', () => {
  it('is the busy share of the time between two readings, since boot on the first', async () => {
    const readings: CpuTimes[] = [{ busy: 300, total: 1000 }, { busy: 350, total: 1200 }, { busy: 350, total: 1200 }, { busy: 550, total: 1400 }]
    const load = new CpuLoad(async () => readings.shift()!)
    expect(await load.read()).toBe(30)
    expect(await load.read()).toBe(25)
    // no time passed: the last figure stands
    expect(await load.read()).toBe(25)
    expect(await load.read()).toBe(100)
  })

  it('reads the kernel counters: they only grow, and a busy core shows', async () => {
    const a = await cpuTimes()
    expect(a.busy).toBeGreaterThan(0)
    expect(a.total).toBeGreaterThan(a.busy)
    const load = new CpuLoad()
    await load.read()
    // keep one core busy; other processes on a shared machine can only add to the figure
    const until = Date.now() + 400
    while (Date.now() < until) Math.sqrt(Math.random())
    const b = await cpuTimes()
    expect(b.busy).toBeGreaterThanOrEqual(a.busy)
    expect(b.total).toBeGreaterThan(a.total)
    expect(await load.read()).toBeGreaterThanOrEqual(100 / cpus().length / 2)
  })
})
