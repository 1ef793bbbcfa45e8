// ESLint flat config: typescript-eslint's recommended set (not type-aware, so it
// stays fast) plus the layer rule from DESIGN.md §1, which says where code may run:
//   src/shared     pure TS: no electron, no node builtins, imports only src/shared
//   src/main/*.ts  Electron main: electron, src/main/node and src/shared; not src/main/cli
//   src/main/cli   the wgt command and daemon: no electron; itself, src/main/node and src/shared
//   src/main/node  the node: no electron; imports only itself and src/shared
//   src/renderer   browser: no electron, no node builtins; imports only itself and src/shared
//   src/preload    sandboxed: electron, itself and src/shared; no node builtins
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const CODE = '{ts,tsx,mts,cts,js,jsx,mjs,cjs}'
// Tests run under vitest in Node, whatever layer they test.
const TESTS = ['src/**/test/**']
// Deep enough for any folder we keep; a file nested deeper gets no relative-import check.
const MAX_DEPTH = 12

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const BUILTINS = builtinModules.filter(m => !m.startsWith('_'))
const builtinRule = { group: ['node:*'], message: 'Node builtins are not available in this layer (DESIGN.md §1).' }
const builtinPaths = BUILTINS.map(name => ({ name, message: 'Node builtins are not available in this layer (DESIGN.md §1).' }))
const electronPaths = ['electron', 'electron/main', 'electron/common', 'electron/renderer', 'electron/utility']
  .map(name => ({ name, message: 'This layer never imports electron (DESIGN.md §1).' }))

/**
 * Relative imports may stay inside `folder` (a path under src/) or go to the
 * src/ folders in `allowed` (paths under src/ too, e.g. 'main/node'). A glob
 * cannot resolve "../..", so one config per file depth: a file d folders below
 * `folder` may climb d levels freely; each further climb reaches an ancestor
 * of `folder`, from which the import must continue into an allowed folder
 * below that ancestor; climbing out of src/ is never allowed.
 * `depths` limits which file depths the rule covers (src/main/*.ts only: [0]).
 */
function relativeImportRules (folder, allowed, { builtins, electron, depths, extra = [] }) {
  const segs = folder.split('/')
  const configs = []
  const message = `src/${folder} may import only from itself and ${allowed.map(a => `src/${a}`).join(', ') || 'nothing else'} (DESIGN.md §1).`
  for (const depth of depths ?? [...Array(MAX_DEPTH + 1).keys()]) {
    const toSrc = segs.length + depth
    const patterns = [
      { regex: `^(\\.\\./){${toSrc + 1},}`, message: `Imports from outside src/ are not allowed in src/${folder} (DESIGN.md §1).` },
      { regex: '^/', message: 'Absolute import paths are not allowed.' }
    ]
    for (let n = depth + 1; n <= toSrc; n++) {
      const ancestor = segs.slice(0, segs.length - (n - depth)).join('/')
      const below = allowed
        .filter(a => ancestor === '' || a.startsWith(ancestor + '/'))
        .map(a => ancestor === '' ? a : a.slice(ancestor.length + 1))
      patterns.push({
        regex: below.length > 0 ? `^(\\.\\./){${n}}(?!\\.\\./)(?!(${below.map(esc).join('|')})(/|$))` : `^(\\.\\./){${n}}(?!\\.\\./)`,
        message
      })
    }
    for (const e of extra) patterns.push(e)
    if (builtins) patterns.push(builtinRule)
    configs.push({
      name: `wgt/layers/${folder}/depth-${depth}`,
      files: [`src/${folder}/${'*/'.repeat(depth)}*.${CODE}`],
      ignores: TESTS,
      rules: {
        'no-restricted-imports': ['error', {
          paths: [...(electron ? electronPaths : []), ...(builtins ? builtinPaths : [])],
          patterns
        }]
      }
    })
  }
  return configs
}

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'coverage/**', 'node_modules/**', 'scratch/**', '.wgt-test/**', 'resources/**', '**/pb/*.ts']
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    name: 'wgt/base',
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `any` is sometimes the honest type at a boundary (Electron's own listener signatures use it)
      '@typescript-eslint/no-explicit-any': 'off',
      // `catch {}` is how "this failure is expected and irrelevant" is written
      'no-empty': ['error', { allowEmptyCatch: true }],
      // `interface A extends B {}` names a contract that may grow
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }]
    }
  },
  {
    name: 'wgt/renderer-globals',
    files: [`src/renderer/**/*.${CODE}`],
    languageOptions: { globals: { ...globals.browser } }
  },
  ...relativeImportRules('shared', [], { builtins: true, electron: true }),
  // Electron main (src/main/*.ts): electron, the node and src/shared; never the CLI, the renderer or the preload
  ...relativeImportRules('main', ['shared'], {
    builtins: false,
    electron: false,
    depths: [0],
    extra: [{ regex: '^\\./cli(/|$)', message: 'Electron main does not use the wgt command (DESIGN.md §1).' }]
  }),
  // the CLI and daemon: the node and src/shared, never electron
  ...relativeImportRules('main/cli', ['shared', 'main/node'], { builtins: false, electron: true }),
  ...relativeImportRules('main/node', ['shared'], { builtins: false, electron: true }),
  ...relativeImportRules('renderer', ['shared'], { builtins: true, electron: true }),
  ...relativeImportRules('preload', ['shared'], { builtins: true, electron: false }),
  {
    // dynamic import() is not checked by no-restricted-imports
    name: 'wgt/layers/no-dynamic-electron',
    files: [`src/shared/**/*.${CODE}`, `src/main/node/**/*.${CODE}`, `src/main/cli/**/*.${CODE}`, `src/renderer/**/*.${CODE}`],
    ignores: TESTS,
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "ImportExpression[source.value=/^electron(\\u002F|$)/]",
        message: 'This layer never imports electron (DESIGN.md §1).'
      }]
    }
  }
)
