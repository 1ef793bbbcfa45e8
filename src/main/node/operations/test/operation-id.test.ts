import { describe, expect, it } from 'vitest'
import { operationId } from '../registry.js'

describe('operationId', () => {
  it('never starts with "-", which a command line would read as an option', () => {
    const ids = Array.from({ length: 5000 }, operationId)
    expect(ids.every(id => /^[A-Za-z0-9_][A-Za-z0-9_-]{11}$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
