/**
 * The screen picker's page in Chromium, driven as a user would: the injected
 * script runs under the page's CSP (which allows no script of the page's own),
 * every control is reachable by keyboard, Escape and Cancel answer null, and a
 * window title full of markup is shown as text. Page code is passed as
 * strings: main's TypeScript has no DOM types.
 */
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PICKER_SCRIPT, PICKER_URL, type PageSource } from '../screen-picker-page.js'

// a 1×1 PNG: a real image, so a thumbnail that loads under the CSP can be told from one that does not
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
const SOURCES: PageSource[] = [
  { id: 'screen:1:0', name: 'Entire screen', kind: 'screen', thumbnail: PNG },
  { id: 'window:7:0', name: 'Notes', kind: 'window', thumbnail: PNG },
  { id: 'window:8:0', name: '<img src=x onerror="document.title=\'owned\'">', kind: 'window', thumbnail: '' }
]

describe('screen picker page', () => {
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
    })
  }, 120_000)
  afterAll(async () => { await browser?.close() }, 60_000)

  beforeEach(async () => {
    page = await browser.newPage()
    errors = []
    page.on('pageerror', err => errors.push(err.message))
    await page.goto(PICKER_URL)
  }, 60_000)
  afterEach(async () => { await page?.close() })

  /** inject the script as main does; the answer arrives once the user acts */
  const ask = (sources = SOURCES): Promise<unknown> => page.evaluate(`(${PICKER_SCRIPT})(${JSON.stringify(sources)})`)
  const tile = (name: string): ReturnType<Page['getByRole']> => page.getByRole('button', { name, exact: true })

  it('lists screens and windows with thumbnails and names, the first source focused', async () => {
    const answer = ask()
    await tile('Entire screen').waitFor()
    expect(await page.locator('#screens .source').count()).toBe(1)
    expect(await page.locator('#windows .source').count()).toBe(2)
    expect(await page.evaluate("[...document.querySelectorAll('img.thumb')].map(i => i.naturalWidth)")).toEqual([1, 1])
    expect(await page.evaluate('document.activeElement.dataset.id')).toBe('screen:1:0')
    await page.keyboard.press('Escape')
    expect(await answer).toBeNull()
    expect(errors).toEqual([])
  })

  it('chooses by keyboard: arrows move, Enter shares', async () => {
    const answer = ask()
    await tile('Entire screen').waitFor()
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('Enter')
    expect(await answer).toBe('window:7:0')
  })

  it('reaches Cancel and Share with Tab; Share waits for a choice', async () => {
    const answer = ask()
    await tile('Entire screen').waitFor()
    expect(await page.locator('#share').isDisabled()).toBe(true)
    await page.keyboard.press('Space')
    expect(await tile('Entire screen').getAttribute('aria-pressed')).toBe('true')
    expect(await page.locator('#share').isDisabled()).toBe(false)
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement.id')).toBe('share')
    await page.keyboard.press('Enter')
    expect(await answer).toBe('screen:1:0')
  })

  it('shares by click then Share, or by double-click', async () => {
    const first = ask()
    await tile('Notes').click()
    await page.locator('#share').click()
    expect(await first).toBe('window:7:0')

    await page.goto(PICKER_URL)
    const second = ask()
    await tile('Entire screen').dblclick()
    expect(await second).toBe('screen:1:0')
  })

  it('answers null on Cancel', async () => {
    const answer = ask()
    await page.locator('#cancel').click()
    expect(await answer).toBeNull()
  })

  it('shows a title full of markup as text, and the page runs no script of its own', async () => {
    const answer = ask()
    await tile(SOURCES[2].name).waitFor()
    expect(await page.locator('#windows img').count()).toBe(1)
    expect(await page.title()).toBe('Share your screen')
    // an inline script added to the page is refused by its CSP
    await page.evaluate(`{
      const s = document.createElement('script')
      s.textContent = 'document.title = "ran"'
      document.body.append(s)
    }`)
    expect(await page.title()).toBe('Share your screen')
    await page.keyboard.press('Escape')
    expect(await answer).toBeNull()
  })

  it('hides an empty section and focuses Cancel when there is nothing to choose', async () => {
    const screensOnly = ask([SOURCES[0]])
    await tile('Entire screen').waitFor()
    expect(await page.locator('#windows-section').isHidden()).toBe(true)
    await page.keyboard.press('Escape')
    expect(await screensOnly).toBeNull()

    await page.goto(PICKER_URL)
    const none = ask([])
    await page.locator('#cancel:focus').waitFor()
    await page.keyboard.press('Enter')
    expect(await none).toBeNull()
  })
})
