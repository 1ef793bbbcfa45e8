import { describe, expect, it } from 'vitest'
import { cpuRows, maxOf, niceTicks, rttRows, trafficRows } from '../src/metrics/charts-data.js'
import { sample } from './fixtures.js'

describe('rttRows', () => {
  it('makes one row per sample with a key per peer and gaps as null', () => {
    const { rows, peerIds } = rttRows([
      sample(1, [{ peerId: 'QmA', rttP50: 0.2, inBps: 0, outBps: 0 }]),
      sample(2, [{ peerId: 'QmA', rttP50: 0.3, inBps: 0, outBps: 0 }, { peerId: 'QmB', rttP50: 1.5, inBps: 0, outBps: 0 }])
    ])
    expect(peerIds).toEqual(['QmA', 'QmB'])
    expect(rows).toEqual([{ t: 1, QmA: 0.2, QmB: null }, { t: 2, QmA: 0.3, QmB: 1.5 }])
  })
  it('keeps the most recently seen peers when there are too many', () => {
    const { peerIds } = rttRows([
      sample(1, [{ peerId: 'QmOld', rttP50: 1, inBps: 0, outBps: 0 }]),
      sample(2, [{ peerId: 'QmNew1', rttP50: 1, inBps: 0, outBps: 0 }, { peerId: 'QmNew2', rttP50: 1, inBps: 0, outBps: 0 }])
    ], 2)
    expect(peerIds).toEqual(['QmNew1', 'QmNew2'])
  })
  it('orders series by first appearance so colours do not shuffle when a peer joins', () => {
    const { peerIds } = rttRows([
      sample(1, [{ peerId: 'QmZ', rttP50: 1, inBps: 0, outBps: 0 }]),
      sample(2, [{ peerId: 'QmZ', rttP50: 1, inBps: 0, outBps: 0 }, { peerId: 'QmA', rttP50: 1, inBps: 0, outBps: 0 }])
    ])
    expect(peerIds).toEqual(['QmZ', 'QmA'])
  })
})

describe('traffic and cpu rows', () => {
  it('carry the measured values through', () => {
    expect(trafficRows([sample(5)])).toEqual([{ t: 5, inBps: 5, outBps: 10 }])
    expect(cpuRows([sample(5, [], null)])).toEqual([{ t: 5, cpuLoad: null }])
  })
})

describe('niceTicks', () => {
  it('picks round decimal steps that cover the maximum', () => {
    expect(niceTicks(0.22)).toEqual([0, 0.1, 0.2, 0.3])
    expect(niceTicks(87)).toEqual([0, 25, 50, 75, 100])
    expect(niceTicks(4)).toEqual([0, 1, 2, 3, 4])
  })
  it('uses binary units for bytes', () => {
    expect(niceTicks(3.32 * 1024, 4, 'bytes')).toEqual([0, 1024, 2048, 3072, 4096])
    expect(niceTicks(900, 4, 'bytes')).toEqual([0, 250, 500, 750, 1000])
    expect(niceTicks(5 * 1024 * 1024, 4, 'bytes')).toEqual([0, 2, 4, 6].map(x => x * 1024 * 1024))
  })
  it('has a sensible range when everything is zero', () => {
    expect(niceTicks(0)).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(niceTicks(0, 4, 'bytes')).toEqual([0, 256, 512, 768, 1024])
  })
})

describe('maxOf', () => {
  it('ignores nulls', () => {
    expect(maxOf([{ t: 1, a: null, b: 2 }, { t: 2, a: 3, b: null }], ['a', 'b'])).toBe(3)
    expect(maxOf([], ['a'])).toBe(0)
  })
})
