import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { OperationOwners } from '../api-server/owners.js'

describe('OperationOwners', () => {
  let cancelled: string[]
  let owners: OperationOwners

  beforeEach(() => {
    vi.useFakeTimers()
    cancelled = []
    owners = new OperationOwners(op => { cancelled.push(op) }, 1000)
  })
  afterEach(() => {
    owners.stop()
    vi.useRealTimers()
  })

  it('cancels an anonymous client\'s work as soon as its connection closes', () => {
    owners.opened('a')
    owners.started('a', 'op1')
    owners.closed('a', { named: false, cancel: true })
    expect(cancelled).toEqual(['op1'])
  })

  it('gives a named client its grace, and forgets the countdown when it comes back', () => {
    owners.opened('tab')
    owners.started('tab', 'op1')
    owners.closed('tab', { named: true, cancel: true })
    vi.advanceTimersByTime(999)
    owners.opened('tab')
    vi.advanceTimersByTime(5000)
    expect(cancelled).toEqual([])
    owners.closed('tab', { named: true, cancel: true })
    vi.advanceTimersByTime(1000)
    expect(cancelled).toEqual(['op1'])
  })

  it('waits for the last of a client\'s connections', () => {
    owners.opened('tab')
    owners.opened('tab')
    owners.started('tab', 'op1')
    owners.closed('tab', { named: false, cancel: true })
    expect(cancelled).toEqual([])
    owners.closed('tab', { named: false, cancel: true })
    expect(cancelled).toEqual(['op1'])
  })

  it('cancels nothing that ended, nothing when the server closed the connection, and nothing after stop', () => {
    owners.opened('a')
    owners.started('a', 'done')
    owners.ended('done')
    owners.started('a', 'kept')
    owners.closed('a', { named: false, cancel: false })
    owners.opened('b')
    owners.started('b', 'op')
    owners.stop()
    owners.closed('b', { named: false, cancel: true })
    vi.runAllTimers()
    expect(cancelled).toEqual([])
  })
})
