import { useEffect } from 'react'
import { useApp, useWgt } from '../app/context.js'
import { useSessions } from './CallButtons.js'
import { CallView } from './CallView.js'
import { IncomingCalls } from './Incoming.js'
import { CallManager } from './manager.js'
import './calls.css'

/**
 * Calls over every view rather than a view of their own: a call outlives
 * moving between views (the views remount when shown; the video elements
 * and the session must not), and a person can chat or pick a file during a
 * call with the view minimised to a bar. The manager lives as long as the
 * page: leaving the page hangs up what it holds.
 */
export function CallOverlay (): React.JSX.Element {
  const { api, store } = useApp()
  const manager = useWgt(s => s.callManager)
  const sessions = useSessions(manager)
  const calls = useWgt(s => s.calls)
  useEffect(() => { manager?.reconcile(calls) }, [manager, calls])

  useEffect(() => {
    const m = new CallManager(api)
    store.getState().setCallManager(m)
    const leave = (): void => { m.stop() }
    window.addEventListener('pagehide', leave)
    return () => {
      window.removeEventListener('pagehide', leave)
      m.stop()
      store.getState().setCallManager(null)
    }
  }, [api, store])

  return (
    <>
      <IncomingCalls inCall={sessions.some(s => !s.closed)} />
      {sessions.map(s => <CallView key={s.id} session={s} />)}
    </>
  )
}
