import { describe, expect, it, vi } from 'vitest'
import { deadline } from '../stream.js'

describe('deadline', () => {
  it('aborts with a TimeoutError when the time is up', () => {
    vi.useFakeTimers()
    try {
      const { signal } = deadline(undefined, 1000)
      vi.advanceTimersByTime(999)
      expect(signal.aborted).toBe(false)
      vi.advanceTimersByTime(1)
      expect(signal.aborted).toBe(true)
      expect((signal.reason as Error).name).toBe('TimeoutError')
    } finally {
      vi.useRealTimers()
    }
  })

  it('follows the caller\'s signal, already aborted or aborted later, with its reason', () => {
    const early = new AbortController()
    early.abort(new Error('cancelled first'))
    expect(deadline(early.signal, 60_000).signal.reason).toEqual(new Error('cancelled first'))
    const late = new AbortController()
    const { signal, done } = deadline(late.signal, 60_000)
    late.abort(new Error('cancelled'))
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toEqual(new Error('cancelled'))
    done()
  })

  it('once done, lets go: no abort from the timer, no listener left on the caller\'s signal', () => {
    vi.useFakeTimers()
    try {
      const caller = new AbortController()
      const add = vi.spyOn(caller.signal, 'addEventListener')
      const remove = vi.spyOn(caller.signal, 'removeEventListener')
      const { signal, done } = deadline(caller.signal, 1000)
      done()
      expect(remove).toHaveBeenCalledWith('abort', add.mock.calls[0][1])
      vi.advanceTimersByTime(5000)
      caller.abort()
      expect(signal.aborted).toBe(false)
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})
