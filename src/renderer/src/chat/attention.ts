/**
 * Whether the person can see this page now: it is visible and its window has
 * the focus. A message is marked read, and a notice held back, only then:
 * a thread open in a window behind others has not been read.
 */
import { useEffect, useState } from 'react'

export function pageHasAttention (): boolean {
  if (typeof document === 'undefined') return false
  return document.visibilityState === 'visible' && document.hasFocus()
}

/** pageHasAttention(), kept current as the window gains or loses focus or is hidden. */
export function usePageAttention (): boolean {
  const [attentive, setAttentive] = useState(pageHasAttention)
  useEffect(() => {
    const update = (): void => { setAttentive(pageHasAttention()) }
    window.addEventListener('focus', update)
    window.addEventListener('blur', update)
    document.addEventListener('visibilitychange', update)
    update()
    return () => {
      window.removeEventListener('focus', update)
      window.removeEventListener('blur', update)
      document.removeEventListener('visibilitychange', update)
    }
  }, [])
  return attentive
}
