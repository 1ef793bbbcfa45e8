/**
 * The map's <canvas>: sized to its box at the device's pixel ratio, drawn by
 * the scene in a requestAnimationFrame loop that runs only while the scene
 * asks for frames (the layout settling, a pulse running, something changed).
 * An idle map schedules nothing.
 */
import { useEffect, useRef } from 'react'
import { useApp } from '../app/context.js'
import { MapScene, type MapPalette, type MapPeer } from './scene.js'

function readPalette (): MapPalette {
  const css = getComputedStyle(document.documentElement)
  const v = (name: string): string => css.getPropertyValue(name).trim()
  return {
    text: v('--text'),
    muted: v('--muted'),
    grid: v('--border'),
    edge: v('--map-edge'),
    self: v('--accent'),
    contact: v('--ok'),
    stranger: v('--map-stranger'),
    request: v('--others'),
    blocked: v('--map-blocked'),
    purgatory: v('--warn'),
    banned: v('--bad'),
    holder: v('--accent'),
    lost: v('--bad'),
    pulse: v('--accent'),
    focus: v('--focus'),
    surface: v('--surface')
  }
}

export interface MapCanvasProps {
  peers: readonly MapPeer[]
  selected: string | null
  onSelect: (peerId: string | null) => void
  /** the file whose placements pulse on the map */
  fileId: string | null
  label: string
}

export function MapCanvas ({ peers, selected, onSelect, fileId, label }: MapCanvasProps): React.JSX.Element {
  const { api } = useApp()
  const box = useRef<HTMLDivElement>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  const scene = useRef<MapScene | null>(null)
  scene.current ??= new MapScene()
  const kick = useRef<() => void>(() => {})

  // the frame loop, the canvas size and the theme's colours
  useEffect(() => {
    const el = canvas.current
    const wrap = box.current
    const ctx = el?.getContext('2d')
    const s = scene.current
    if (el == null || wrap == null || ctx == null || s == null) return
    let palette = readPalette()
    let view = { width: 1, height: 1, dpr: 1 }
    let raf: number | null = null
    const frame = (now: number): void => {
      raf = null
      s.step(now)
      s.draw(ctx, view, palette, now)
      // what this frame put on the canvas, for anyone checking the picture against the list (the e2e test)
      el.dataset.drawnNodes = String(s.drawnNodes)
      if (s.needsFrame(now)) raf = requestAnimationFrame(frame)
    }
    kick.current = () => { if (raf == null) raf = requestAnimationFrame(frame) }
    const resize = (): void => {
      const dpr = window.devicePixelRatio || 1
      const width = Math.max(1, wrap.clientWidth)
      const height = Math.max(1, wrap.clientHeight)
      view = { width, height, dpr }
      el.width = Math.round(width * dpr)
      el.height = Math.round(height * dpr)
      el.style.width = `${width}px`
      el.style.height = `${height}px`
      s.invalidate()
      kick.current()
    }
    const sizes = new ResizeObserver(resize)
    sizes.observe(wrap)
    // the theme lands as <html data-theme>; the colours come from its CSS variables
    const themes = new MutationObserver(() => { palette = readPalette(); s.invalidate(); kick.current() })
    themes.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] })
    resize()
    return () => {
      sizes.disconnect()
      themes.disconnect()
      if (raf != null) cancelAnimationFrame(raf)
      kick.current = () => {}
    }
  }, [])

  useEffect(() => { scene.current?.setPeers(peers); kick.current() }, [peers])
  useEffect(() => { scene.current?.select(selected); kick.current() }, [selected])

  // shards landing on peers, as a share or repair of the selected file puts them there
  useEffect(() => {
    if (fileId == null) return
    return api.on('files:placed', e => {
      if (e.fileId !== fileId) return
      scene.current?.pulse(e.peerId, performance.now())
      kick.current()
    })
  }, [api, fileId])

  const onClick = (e: React.MouseEvent<HTMLCanvasElement>): void => {
    const rect = e.currentTarget.getBoundingClientRect()
    onSelect(scene.current?.hitTest(e.clientX - rect.left, e.clientY - rect.top) ?? null)
  }

  return (
    <div className='map-canvas' ref={box}>
      <canvas ref={canvas} role='img' aria-label={label} data-testid='map-canvas' onClick={onClick} />
    </div>
  )
}
