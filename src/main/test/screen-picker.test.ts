/**
 * The screen picker's main side, with the fake Electron window: it offers the
 * sources (screens first, named for people, bounded), shares only an id it
 * offered, treats cancel, Escape and closing the window as "share nothing",
 * closes when the call ends, and always closes its window.
 */
import { describe, expect, it } from 'vitest'
import { MAX_NAME_CHARS, MAX_THUMBNAIL_CHARS, MAX_WINDOWS, PICKER_WINDOW_OPTIONS, pageSources, pickCaptureSource, type SourceLike } from '../screen-picker.js'
import { PICKER_URL } from '../screen-picker-page.js'
import { FakePickerWindow } from './fake-electron.js'

const THUMB = 'data:image/jpeg;base64,/9j/4AAQSkZJRg=='
const SOURCES: SourceLike[] = [
  { id: 'window:42:0', name: 'Notes', thumbnail: THUMB, primary: false },
  { id: 'screen:2:0', name: 'Screen 2', thumbnail: THUMB, primary: false },
  { id: 'screen:1:0', name: 'Entire screen', thumbnail: THUMB, primary: true }
]
const PARENT = { name: 'the main window' }
const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve)) }

/** a picker started over PARENT, with the window it opened once the page asks */
async function open (sources = SOURCES, signal = new AbortController().signal): Promise<{ result: Promise<unknown>, win: FakePickerWindow }> {
  let win: FakePickerWindow | undefined
  const result = pickCaptureSource({ sources: async () => sources, createWindow: options => (win = new FakePickerWindow(options)), parent: PARENT }, signal)
  await settle()
  if (win == null) throw new Error('no picker window opened')
  return { result, win }
}

describe('screen picker', () => {
  it('opens a sandboxed modal window over the app\'s window, showing the page, screens first with the primary one first', async () => {
    const { result, win } = await open()
    expect(win.options).toEqual({ ...PICKER_WINDOW_OPTIONS, parent: PARENT })
    expect(win.options.modal).toBe(true)
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false })
    expect(win.options.webPreferences).not.toHaveProperty('preload')
    expect(win.loadedUrl).toBe(PICKER_URL)
    expect(win.shown).toBe(true)
    expect(win.offered().map(s => [s.id, s.kind, s.name])).toEqual([
      ['screen:1:0', 'screen', 'Entire screen'],
      ['screen:2:0', 'screen', 'Screen 2'],
      ['window:42:0', 'window', 'Notes']
    ])
    win.answer('window:42:0')
    expect(await result).toEqual({ id: 'window:42:0', name: 'Notes' })
    expect(win.isDestroyed()).toBe(true)
  })

  it('shares nothing when the user cancels or closes the window', async () => {
    const cancelled = await open()
    cancelled.win.answer(null)
    expect(await cancelled.result).toBeNull()
    expect(cancelled.win.isDestroyed()).toBe(true)

    const closed = await open()
    closed.win.closeByUser()
    expect(await closed.result).toBeNull()
  })

  it('shares only a source it offered, whatever the page answers', async () => {
    for (const answer of ['screen:9:0', 'window:42:0 ', 42, { id: 'screen:1:0' }, undefined]) {
      const { result, win } = await open()
      win.answer(answer)
      expect(await result, String(answer)).toBeNull()
    }
  })

  it('closes when the call ends while it is open, and opens nothing once it has', async () => {
    const abort = new AbortController()
    const { result, win } = await open(SOURCES, abort.signal)
    expect(win.asking).toBe(true)
    abort.abort()
    expect(await result).toBeNull()
    expect(win.isDestroyed()).toBe(true)

    let opened = 0
    const after = await pickCaptureSource({ sources: async () => SOURCES, createWindow: options => { opened++; return new FakePickerWindow(options) } }, abort.signal)
    expect(after).toBeNull()
    expect(opened).toBe(0)
  })

  it('opens nothing when there is nothing to share, and fails when the sources cannot be read', async () => {
    let opened = 0
    const createWindow = (options: ConstructorParameters<typeof FakePickerWindow>[0]): FakePickerWindow => { opened++; return new FakePickerWindow(options) }
    expect(await pickCaptureSource({ sources: async () => [], createWindow }, new AbortController().signal)).toBeNull()
    await expect(pickCaptureSource({ sources: async () => { throw new Error('no display server') }, createWindow }, new AbortController().signal)).rejects.toThrow('no display server')
    expect(opened).toBe(0)
  })

  it('names sources for people and bounds what goes into the page', () => {
    const many: SourceLike[] = [
      { id: 'screen:1:0', name: '', thumbnail: '', primary: true },
      { id: 'window:1:0', name: `evil\u202e\u0007${'x'.repeat(500)}`, thumbnail: 'data:text/html;base64,PHNjcmlwdD4=', primary: false },
      { id: 'window:2:0', name: '  ', thumbnail: `data:image/png;base64,${'A'.repeat(MAX_THUMBNAIL_CHARS)}`, primary: false },
      { id: 'webcontents:3', name: 'not a screen or window', thumbnail: THUMB, primary: false },
      ...Array.from({ length: MAX_WINDOWS + 10 }, (_, i) => ({ id: `window:${100 + i}:0`, name: `W${i}`, thumbnail: THUMB, primary: false }))
    ]
    const page = pageSources(many)
    expect(page[0]).toEqual({ id: 'screen:1:0', kind: 'screen', name: 'Screen 1', thumbnail: '' })
    expect(page[1].name.startsWith('evilxxx')).toBe(true)
    expect([...page[1].name]).toHaveLength(MAX_NAME_CHARS)
    expect(page[1].thumbnail).toBe('')
    expect(page[2]).toMatchObject({ name: 'Untitled window', thumbnail: '' })
    expect(page.filter(s => s.kind === 'window')).toHaveLength(MAX_WINDOWS)
    expect(page.some(s => s.id.startsWith('webcontents:'))).toBe(false)
    expect(page[3].thumbnail).toBe(THUMB)
  })
})
