import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { HEALTH_EXPLAINED, HealthCell } from '../src/files/Health.js'
import { fileHealth } from './fixtures.js'

const text = (html: string): string => html.replace(/<[^>]+>/g, '')

describe('health wording', () => {
  it('counts proven holders, in the bar\'s label and each segment\'s tooltip', () => {
    const html = renderToStaticMarkup(<HealthCell state={{ status: 'ok', health: fileHealth([6, 4, 6]) }} now={2} />)
    expect(html).toContain('aria-label="3 segments; fewest shards proven held in a segment: 4 of 6, 4 needed"')
    expect(html).toContain('title="segment 1: 4 of 6 shards proven held, 4 needed"')
    expect(html).toContain('title="fewest shards proven held in any segment"')
    expect(html).not.toContain('reachable')
    expect(text(html)).toContain('degraded · min 4/6')
  })

  it('explains that a holder counts only when it proves it still has the bytes', () => {
    expect(HEALTH_EXPLAINED).toContain('a holder counts only when it proves it still has the bytes')
  })
})
