import { useEffect, useState } from 'react'
import { useApp, useWgt } from '../app/context.js'
import { shareFiles } from './actions.js'
import { PeerName } from '../guard/PeerName.js'

function carriesFiles (e: DragEvent): boolean {
  return e.dataTransfer?.types.includes('Files') ?? false
}

/** The connected peer whose row is under the pointer, if any: dropping there also sends it the link. */
function peerUnder (e: Event): string | null {
  const target = e.target instanceof Element ? e.target : null
  return target?.closest('tr[data-peer-id]')?.getAttribute('data-peer-id') ?? null
}

/** An element that takes dropped files itself (the open chat thread): the window leaves the drop to it and shows its hint. */
function zoneUnder (e: Event): Element | null {
  const target = e.target instanceof Element ? e.target : null
  return target?.closest('[data-drop-zone]') ?? null
}

/**
 * Files can be dropped anywhere on the window. The overlay only shows where the
 * drop will go; it lets pointer events through so the peer row under the pointer
 * stays the drop target.
 */
export function DropOverlay (): React.JSX.Element | null {
  const { api, host, store } = useApp()
  const dragging = useWgt(s => s.dragging)
  const dropPeer = useWgt(s => s.dropPeer)
  const [zoneHint, setZoneHint] = useState<string | null>(null)

  useEffect(() => {
    // dragenter/dragleave fire for every element crossed; count them to know when the drag left the window
    let depth = 0
    const set = (dragging: boolean, peer: string | null): void => { store.getState().dragChanged(dragging, peer) }
    const over = (e: DragEvent): void => {
      const zone = zoneUnder(e)
      setZoneHint(zone?.getAttribute('data-drop-zone') ?? null)
      set(true, zone != null ? null : peerUnder(e))
    }
    const onEnter = (e: DragEvent): void => {
      if (!carriesFiles(e)) return
      e.preventDefault()
      depth++
      over(e)
    }
    const onOver = (e: DragEvent): void => {
      if (!carriesFiles(e)) return
      e.preventDefault() // without this the browser opens the file instead of dropping it here
      if (e.dataTransfer != null) e.dataTransfer.dropEffect = 'copy'
      over(e)
    }
    const onLeave = (e: DragEvent): void => {
      if (!carriesFiles(e)) return
      depth = Math.max(0, depth - 1)
      if (depth === 0) set(false, null)
    }
    const onDrop = (e: DragEvent): void => {
      const files = Array.from(e.dataTransfer?.files ?? [])
      depth = 0
      set(false, null)
      if (files.length === 0) return
      e.preventDefault()
      if (zoneUnder(e) != null) return // its own handler took the files
      void shareFiles({ api, host, store }, files, peerUnder(e))
    }
    window.addEventListener('dragenter', onEnter)
    window.addEventListener('dragover', onOver)
    window.addEventListener('dragleave', onLeave)
    window.addEventListener('drop', onDrop)
    return () => {
      window.removeEventListener('dragenter', onEnter)
      window.removeEventListener('dragover', onOver)
      window.removeEventListener('dragleave', onLeave)
      window.removeEventListener('drop', onDrop)
    }
  }, [api, host, store])

  if (!dragging) return null
  return (
    <div className='drop-overlay' aria-hidden='true'>
      <div className='drop-hint'>
        {zoneHint != null
          ? zoneHint
          : dropPeer != null
          ? <>Drop to share and send the link to <PeerName peerId={dropPeer} pill='never' /></>
          : <>Drop to share — or drop onto a peer to send it the link</>}
      </div>
    </div>
  )
}
