import { describe, expect, it } from 'vitest'
import { formatAge, formatBytes, formatMs, formatPercent, formatRate, formatRatio, shortPeerId, trimZeros } from '../src/format.js'

describe('formatBytes / formatRate', () => {
  it('uses binary units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(999)).toBe('999 B')
    expect(formatBytes(1000)).toBe('0.98 KiB')
    expect(formatBytes(1536)).toBe('1.50 KiB')
    expect(formatBytes(12.3 * 1024 * 1024)).toBe('12.3 MiB')
    expect(formatBytes(456 * 1024 ** 3)).toBe('456 GiB')
  })
  it('never shows four integer digits', () => {
    for (const n of [1000, 1023, 1024 * 1000, 1024 * 1023]) expect(formatBytes(n)).toMatch(/^\d{1,3}(\.\d+)? [KMG]iB$/)
  })
  it('rejects what is not a byte count', () => {
    expect(formatBytes(-1)).toBe('—')
    expect(formatBytes(Number.NaN)).toBe('—')
  })
  it('adds /s for rates', () => {
    expect(formatRate(2048)).toBe('2.00 KiB/s')
    expect(formatRate(0)).toBe('0 B/s')
  })
})

describe('formatMs', () => {
  it('keeps sub-millisecond precision only where it matters', () => {
    expect(formatMs(0.143)).toBe('0.14 ms')
    expect(formatMs(2.345)).toBe('2.3 ms')
    expect(formatMs(87.4)).toBe('87 ms')
    expect(formatMs(12_345)).toBe('12.3 s')
    expect(formatMs(0)).toBe('0 ms')
  })
  it('shows a dash for no measurement', () => {
    expect(formatMs(null)).toBe('—')
    expect(formatMs(undefined)).toBe('—')
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('—')
  })
})

describe('percentages', () => {
  it('formats ratios and percents', () => {
    expect(formatRatio(0)).toBe('0%')
    expect(formatRatio(0.005)).toBe('0.5%')
    expect(formatRatio(0.25)).toBe('25%')
    expect(formatPercent(37.6)).toBe('38%')
    expect(formatPercent(null)).toBe('—')
  })
})

describe('shortPeerId', () => {
  it('keeps head and tail', () => {
    const id = '12D3KooWLRPJAA5o6Z6gk6aLQYt6XpQ5zXUVVpkfQnRFMT7dTkxM'
    expect(shortPeerId(id)).toBe('12D3KooW…7dTkxM')
    expect(shortPeerId(id).length).toBeLessThan(id.length)
  })
  it('leaves short strings alone', () => {
    expect(shortPeerId('QmShort')).toBe('QmShort')
  })
})

describe('formatAge', () => {
  it('picks a readable unit', () => {
    expect(formatAge(4_000)).toBe('4 s ago')
    expect(formatAge(5 * 60_000)).toBe('5 min ago')
    expect(formatAge(3 * 3_600_000)).toBe('3 h ago')
    expect(formatAge(3 * 86_400_000)).toBe('3 d ago')
  })
})

describe('trimZeros', () => {
  it('drops trailing zeros of the first number only', () => {
    expect(trimZeros('4.00 KiB/s')).toBe('4 KiB/s')
    expect(trimZeros('0.10 ms')).toBe('0.1 ms')
    expect(trimZeros('1.50 KiB/s')).toBe('1.5 KiB/s')
    expect(trimZeros('12.3 MiB/s')).toBe('12.3 MiB/s')
    expect(trimZeros('100 ms')).toBe('100 ms')
    expect(trimZeros('0 B/s')).toBe('0 B/s')
  })
})
