import { useEffect, useRef } from 'react'
import { useWgt } from './context.js'
import { VIEWS } from './views.js'

/**
 * The navigation: one button per view, arrow keys move between them, and
 * Alt+1…Alt+9 jump to a view from anywhere.
 */
export function Nav (): React.JSX.Element {
  const view = useWgt(s => s.view)
  const showView = useWgt(s => s.showView)
  const badges = useWgt(s => VIEWS.map(v => v.badge?.(s) ?? 0).join(','))
  const counts = badges.split(',').map(Number)
  const refs = useRef<Array<HTMLButtonElement | null>>([])

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return
      const n = Number(e.key)
      if (!Number.isInteger(n) || n < 1 || n > VIEWS.length) return
      e.preventDefault()
      showView(VIEWS[n - 1].id)
      refs.current[n - 1]?.focus()
    }
    window.addEventListener('keydown', onKey)
    return () => { window.removeEventListener('keydown', onKey) }
  }, [showView])

  const onArrow = (e: React.KeyboardEvent, i: number): void => {
    const delta = e.key === 'ArrowDown' || e.key === 'ArrowRight' ? 1 : e.key === 'ArrowUp' || e.key === 'ArrowLeft' ? -1 : 0
    if (delta === 0) return
    e.preventDefault()
    const next = (i + delta + VIEWS.length) % VIEWS.length
    refs.current[next]?.focus()
    showView(VIEWS[next].id)
  }

  return (
    <nav className='nav' aria-label='Views'>
      {VIEWS.map((v, i) => (
        <button
          key={v.id}
          ref={el => { refs.current[i] = el }}
          type='button'
          className={`nav-item${view === v.id ? ' nav-current' : ''}`}
          aria-current={view === v.id ? 'page' : undefined}
          tabIndex={view === v.id ? 0 : -1}
          onClick={() => { showView(v.id) }}
          onKeyDown={e => { onArrow(e, i) }}
          title={`${v.label} (Alt+${i + 1})`}
          data-view={v.id}
        >
          <span>{v.label}</span>
          {counts[i] > 0 && <span className='badge' aria-label={`${counts[i]} ${v.badgeLabel ?? ''}`} data-testid={`badge-${v.id}`}>{counts[i]}</span>}
        </button>
      ))}
    </nav>
  )
}
