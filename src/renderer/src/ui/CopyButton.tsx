import { useEffect, useState } from 'react'

type CopyState = 'idle' | 'copied' | 'failed'

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton ({ text, label = 'Copy', what }: { text: string, label?: string, what: string }): React.JSX.Element {
  const [state, setState] = useState<CopyState>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const timer = setTimeout(() => { setState('idle') }, 1500)
    return () => { clearTimeout(timer) }
  }, [state])

  const copy = (): void => {
    navigator.clipboard.writeText(text).then(() => { setState('copied') }, () => { setState('failed') })
  }
  return (
    <button type='button' className='btn btn-small' onClick={copy} aria-label={`Copy ${what}`} title={`Copy ${what}`}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  )
}
