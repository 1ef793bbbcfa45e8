/**
 * The screen picker's page: plain HTML loaded as a data: URL into a window of
 * its own (screen-picker.ts). The page runs no script of its own (its CSP
 * allows none, and no network); main injects PICKER_SCRIPT with
 * executeJavaScript, which runs as the embedder's code, hands it the sources,
 * and gets back the id the user chose, or null. Source names are window
 * titles, which any web page or program sets: the script writes them as text
 * (textContent), never as markup.
 *
 * The script is a string, not a function's toString(): a bundler may rewrite a
 * function's body with helpers that exist only in main.
 */

/** What the page gets for each source: thumbnail is a data:image URL, or '' when there is none. */
export interface PageSource { id: string, name: string, kind: 'screen' | 'window', thumbnail: string }

export const PICKER_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${PICKER_CSP}">
<title>Share your screen</title>
<style>
  :root { color-scheme: light dark; --bg: #f6f7f9; --text: #1b1f24; --muted: #5b6470; --border: #d5d9e0; --accent: #2f6fde; }
  @media (prefers-color-scheme: dark) { :root { --bg: #12151b; --text: #e6e9ee; --muted: #9aa3ae; --border: #2c333d; --accent: #5b93f0; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px system-ui, sans-serif; background: var(--bg); color: var(--text); }
  main { display: flex; flex-direction: column; height: 100vh; padding: 16px; gap: 8px; }
  h1 { font-size: 16px; margin: 0; }
  h2 { font-size: 13px; margin: 8px 0 4px; color: var(--muted); font-weight: 600; }
  p { margin: 0; color: var(--muted); }
  .lists { flex: 1; overflow: auto; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(176px, 1fr)); gap: 8px; list-style: none; margin: 0; padding: 0; }
  .source { display: flex; flex-direction: column; gap: 6px; width: 100%; padding: 6px; font: inherit; color: inherit;
    background: transparent; border: 2px solid var(--border); border-radius: 6px; cursor: pointer; text-align: left; }
  .source[aria-pressed="true"] { border-color: var(--accent); }
  .source:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  .thumb { width: 100%; aspect-ratio: 16 / 9; object-fit: contain; background: #000; border-radius: 3px; }
  .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .actions { display: flex; justify-content: flex-end; gap: 8px; }
  .actions button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid var(--border); background: transparent; color: inherit; cursor: pointer; }
  .actions #share { background: var(--accent); border-color: var(--accent); color: #fff; }
  .actions #share:disabled { opacity: 0.5; cursor: default; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main aria-labelledby="title">
  <h1 id="title">Choose what to share in the call</h1>
  <p>The other side sees it until you stop sharing. Arrow keys move, Enter chooses, Escape cancels.</p>
  <div class="lists">
    <section id="screens-section" aria-labelledby="screens-title"><h2 id="screens-title">Screens</h2><ul id="screens" class="grid"></ul></section>
    <section id="windows-section" aria-labelledby="windows-title"><h2 id="windows-title">Windows</h2><ul id="windows" class="grid"></ul></section>
  </div>
  <div class="actions">
    <button id="cancel" type="button">Cancel</button>
    <button id="share" type="button" disabled>Share</button>
  </div>
</main>
</body>
</html>`

/** The page, as the data: URL the picker window loads. */
export const PICKER_URL = `data:text/html;charset=utf-8,${encodeURIComponent(HTML)}`

/**
 * `(${PICKER_SCRIPT})(sources)` fills the page and resolves with the chosen
 * source's id, or null when the user cancels (Cancel, Escape). Clicking a
 * source selects it and Share shares it; double-click or Enter on a source
 * shares it at once. Arrow keys move between sources; Tab reaches every control.
 */
export const PICKER_SCRIPT = `(sources) => new Promise((resolve) => {
  const share = document.getElementById('share')
  const cancel = document.getElementById('cancel')
  const tiles = []
  let chosen = null
  let done = false
  const finish = (id) => { if (done) return; done = true; resolve(id) }
  const select = (tile) => {
    for (const t of tiles) t.setAttribute('aria-pressed', String(t === tile))
    chosen = tile.dataset.id
    share.disabled = false
  }
  for (const kind of ['screen', 'window']) {
    const list = document.getElementById(kind + 's')
    const mine = sources.filter((s) => s.kind === kind)
    document.getElementById(kind + 's-section').hidden = mine.length === 0
    for (const s of mine) {
      const item = document.createElement('li')
      const tile = document.createElement('button')
      tile.type = 'button'
      tile.className = 'source'
      tile.dataset.id = s.id
      tile.setAttribute('aria-pressed', 'false')
      if (s.thumbnail !== '') {
        const img = document.createElement('img')
        img.className = 'thumb'
        img.alt = ''
        img.src = s.thumbnail
        tile.append(img)
      }
      const name = document.createElement('span')
      name.className = 'name'
      name.textContent = s.name
      tile.title = s.name
      tile.append(name)
      tile.addEventListener('click', () => { select(tile) })
      tile.addEventListener('dblclick', () => { select(tile); finish(chosen) })
      tile.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') { e.preventDefault(); select(tile); finish(chosen); return }
        const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key]
        if (step === undefined) return
        e.preventDefault()
        const next = tiles[(tiles.indexOf(tile) + step + tiles.length) % tiles.length]
        next.focus()
      })
      item.append(tile)
      list.append(item)
      tiles.push(tile)
    }
  }
  share.addEventListener('click', () => { if (chosen !== null) finish(chosen) })
  cancel.addEventListener('click', () => { finish(null) })
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); finish(null) } })
  if (tiles.length > 0) tiles[0].focus()
  else cancel.focus()
})`
