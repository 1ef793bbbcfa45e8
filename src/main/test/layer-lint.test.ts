/** The layer rule (DESIGN.md §1) as ESLint enforces it, on small snippets at real paths. */
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
let eslint: ESLint

/** the messages of the layer rules only: a snippet may trip unrelated rules (unused imports) */
async function layerErrors (file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) })
  return result.messages
    .filter(m => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax' || m.fatal === true)
    .map(m => m.message)
}

beforeAll(() => {
  eslint = new ESLint({ cwd: root })
})

const forbidden: Array<[string, string, string]> = [
  // [file, import line, why]
  ['src/shared/x.ts', "import { app } from 'electron'", 'shared imports electron'],
  ['src/shared/x.ts', "import type { IpcMain } from 'electron'", 'shared imports electron types'],
  ['src/shared/x.ts', "import { readFile } from 'node:fs/promises'", 'shared imports node:*'],
  ['src/shared/x.ts', "import { EventEmitter } from 'events'", 'shared imports a bare builtin'],
  ['src/shared/x.ts', "import { createNode } from '../main/node/index.js'", 'shared imports the node'],
  ['src/main/node/x.ts', "import { ipcMain } from 'electron'", 'node imports electron'],
  ['src/main/node/net/x.ts', "export { BrowserWindow } from 'electron/main'", 'node re-exports electron'],
  ['src/main/node/net/x.ts', "const e = await import('electron')", 'node imports electron dynamically'],
  ['src/main/node/net/x.ts', "import { bindApiToIpc } from '../../ipc.js'", 'node imports the Electron glue'],
  ['src/main/node/x.ts', "import { App } from '../../renderer/App.js'", 'node imports the renderer'],
  ['src/renderer/x.ts', "import { createNode } from '../main/node/index.js'", 'renderer imports the node'],
  ['src/renderer/views/deep/x.tsx', "import { createNode } from '../../../main/node/index.js'", 'nested renderer file imports the node'],
  ['src/renderer/views/x.tsx', "import { createIpcBridge } from '../../preload/bridge.js'", 'renderer imports the preload'],
  ['src/renderer/x.ts', "import { ipcRenderer } from 'electron'", 'renderer imports electron'],
  ['src/renderer/x.ts', "import { join } from 'node:path'", 'renderer imports node:*'],
  ['src/renderer/x.ts', "import { join } from 'path'", 'renderer imports a bare builtin'],
  ['src/renderer/x.ts', "import pkg from '../../package.json'", 'renderer reaches outside src'],
  ['src/preload/x.ts', "import { readFileSync } from 'node:fs'", 'sandboxed preload imports node:*'],
  ['src/main/cli/x.ts', "import { app } from 'electron'", 'the CLI imports electron'],
  ['src/main/cli/commands/x.ts', "const e = await import('electron')", 'a CLI command imports electron dynamically'],
  ['src/main/cli/x.ts', "import { bindApiToIpc } from '../ipc.js'", 'the CLI imports the Electron glue'],
  ['src/main/cli/commands/x.ts', "import { App } from '../../../renderer/src/app/App.js'", 'the CLI imports the renderer'],
  ['src/main/x.ts', "import { runDaemon } from './cli/daemon.js'", 'Electron main imports the CLI'],
  ['src/main/x.ts', "import { App } from '../renderer/src/app/App.js'", 'Electron main imports the renderer'],
  ['src/main/x.ts', "import { createIpcBridge } from '../preload/bridge.js'", 'Electron main imports the preload']
]

const allowed: Array<[string, string]> = [
  ['src/shared/x.ts', "import { z } from 'zod'"],
  ['src/shared/x.ts', "import { WgtError } from './errors.js'"],
  ['src/main/node/net/x.ts', "import { WgtError } from '../../../shared/errors.js'"],
  ['src/main/node/net/x.ts', "import { resolveConfig } from '../config.js'"],
  ['src/main/node/x.ts', "import { readFile } from 'node:fs/promises'"],
  ['src/renderer/x.ts', "import { WgtError } from '../shared/errors.js'"],
  ['src/renderer/views/deep/x.tsx', "import { WgtError } from '../../../shared/errors.js'"],
  ['src/renderer/views/deep/x.tsx', "import { Chart } from '../Chart.js'"],
  ['src/renderer/x.tsx', "import { useState } from 'react'"],
  ['src/preload/x.ts', "import { contextBridge } from 'electron'"],
  ['src/preload/x.ts', "import { unwrap } from '../shared/rpc.js'"],
  ['src/main/x.ts', "import { app } from 'electron'"],
  ['src/main/x.ts', "import { createNode } from './node/index.js'"],
  ['src/main/x.ts', "import { dispatch } from '../shared/api/validate.js'"],
  ['src/main/cli/x.ts', "import { createNode } from '../node/index.js'"],
  ['src/main/cli/commands/x.ts', "import { WGT_VERSION } from '../../node/version.js'"],
  ['src/main/cli/commands/x.ts', "import { WgtError } from '../../../shared/errors.js'"],
  ['src/main/cli/x.ts', "import { readFile } from 'node:fs/promises'"]
]

describe('layer lint rule', () => {
  it.each(forbidden)('%s: %s is reported (%s)', async (file, line) => {
    const errors = await layerErrors(file, `${line}\nexport const used = 1\n`)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.join('\n')).toMatch(/DESIGN\.md|Absolute/)
  })

  it.each(allowed)('%s: %s is allowed', async (file, line) => {
    expect(await layerErrors(file, `${line}\nexport const used = 1\n`)).toEqual([])
  })
})
