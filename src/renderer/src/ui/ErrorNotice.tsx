import type { HumanError } from './errors.js'

/** An error a person can act on: what failed, why and what to do; the raw detail one click away. */
export function ErrorNotice ({ error, onDismiss, compact = false }: { error: HumanError, onDismiss?: () => void, compact?: boolean }): React.JSX.Element {
  return (
    <div className={`notice notice-bad${compact ? ' notice-compact' : ''}`} role='alert' data-testid='error' data-code={error.code}>
      <div className='notice-body'>
        <strong>{error.title}</strong>
        <span>{error.advice}</span>
        <details>
          <summary>Details</summary>
          <code className='mono break'>{error.detail}</code>
        </details>
      </div>
      {onDismiss != null && <button type='button' className='btn btn-small btn-ghost' onClick={onDismiss} aria-label={`Dismiss: ${error.title}`}>Dismiss</button>}
    </div>
  )
}
