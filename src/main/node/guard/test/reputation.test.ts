import { describe, expect, it } from 'vitest'
import { ReputationBook } from '../reputation.js'

describe('ReputationBook', () => {
  it('moves a peer from active to purgatory to banned as violations accumulate, and back as they age out', () => {
    let now = 1_000_000
    const book = new ReputationBook({ purgatoryAt: 2, banAt: 4, windowMs: 1000, now: () => now })
    const changes: string[] = []
    book.onChange((id, info) => changes.push(`${id}:${info.state}`))
    expect(book.get('p')).toEqual({ state: 'active', violations: 0 })
    book.recordViolation('p', 'oversized')
    expect(book.get('p').state).toBe('active')
    book.recordViolation('p', 'malformed')
    expect(book.get('p').state).toBe('purgatory')
    book.recordViolation('p', 'malformed')
    book.recordViolation('p', 'malformed')
    expect(book.isBanned('p')).toBe(true)
    expect(book.get('q').state).toBe('active')
    now += 1001
    expect(book.get('p')).toEqual({ state: 'active', violations: 0 })
    expect(changes).toEqual(['p:active', 'p:purgatory', 'p:purgatory', 'p:banned'])
  })
})
