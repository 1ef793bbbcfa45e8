import { useState } from 'react'

/**
 * A button that asks once more before it acts (remove, block): keyboard-friendly,
 * never by accident. The question and the confirming button replace it in place.
 */
export function ConfirmButton ({ label, question, confirmLabel = label, onConfirm, busy = false, what }: {
  label: string
  question: string
  confirmLabel?: string
  onConfirm: () => Promise<unknown>
  busy?: boolean
  /** names the target for assistive technology: "Remove Alice" */
  what: string
}): React.JSX.Element {
  const [asking, setAsking] = useState(false)
  if (!asking) {
    return <button type='button' className='btn btn-small' disabled={busy} onClick={() => { setAsking(true) }} aria-label={`${label} ${what}`}>{label}</button>
  }
  return (
    <span className='confirm' role='group' aria-label={`Confirm: ${label} ${what}`}>
      <span className='muted'>{question}</span>
      <button type='button' className='btn btn-small btn-danger' disabled={busy} autoFocus onClick={() => { void onConfirm().finally(() => { setAsking(false) }) }}>
        {confirmLabel}
      </button>
      <button type='button' className='btn btn-small' disabled={busy} onClick={() => { setAsking(false) }}>Cancel</button>
    </span>
  )
}
