import { describe, expect, it } from 'vitest'
import { settleAll } from '../settle.js'

/** A promise with its settle functions, for ordering events by hand. */
function deferred<T> (): { promise: Promise<T>, resolve: (v: T) => void, reject: (e: unknown) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

describe('settleAll (what a share waits on before it releases a shard, and a fetch before it moves on from a segment)', () => {
  it('does not reject at a fast failure while the other put is still running', async () => {
    const local = deferred<void>()
    const remote = deferred<string>()
    const events: string[] = []
    const both = settleAll([local.promise, remote.promise]).then(() => events.push('resolved'), (err: Error) => events.push(`rejected: ${err.message}`))
    remote.reject(new Error('peer reset the stream'))
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(events).toEqual([])
    events.push('local put done')
    local.resolve()
    await both
    expect(events).toEqual(['local put done', 'rejected: peer reset the stream'])
  })

  it("throws the first one's failure when both fail, and returns both values when both succeed", async () => {
    await expect(settleAll([Promise.reject(new Error('disk full')), Promise.reject(new Error('reset'))])).rejects.toThrow('disk full')
    await expect(settleAll([null, Promise.resolve('peer')])).resolves.toEqual([null, 'peer'])
  })
})
