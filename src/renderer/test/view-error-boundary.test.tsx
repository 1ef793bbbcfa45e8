import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { crashNotice, ViewErrorBoundary } from '../src/ui/ViewErrorBoundary.js'

describe('ViewErrorBoundary', () => {
  it('turns a render error into a notice a person can act on, with the detail one click away', () => {
    const state = ViewErrorBoundary.getDerivedStateFromError(new RangeError('Invalid time value'))
    const boundary = new ViewErrorBoundary({ view: 'Chat', children: null })
    boundary.state = state
    const html = renderToStaticMarkup(<>{boundary.render()}</>)
    expect(html).toContain('The Chat view stopped')
    expect(html).toContain('pick the view again')
    expect(html).toContain('<summary>Details</summary>')
    expect(html).toContain('RangeError: Invalid time value')
    expect(crashNotice('Files', 'odd')).toMatchObject({ code: 'INTERNAL', detail: 'odd' })
  })

  it('renders its view while nothing broke', () => {
    expect(renderToStaticMarkup(<ViewErrorBoundary view='Chat'><p>fine</p></ViewErrorBoundary>)).toBe('<p>fine</p>')
  })
})
