// ESLint flat config: typescript-eslint's recommended set (not type-aware, so it
// stays fast) plus the layer rule from DESIGN.md §1, which says where code may run:
//   src/shared     pure TS: no electron, no node builtins, imports only src/shared
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
 * src/ folders in `allowed`. A glob cannot resolve "../..", so one config per
 * file depth: a file d folders below `folder` may climb d levels freely; climbing
 * exactly to src/ must continue into an allowed folder; anything else is out.
 */
function relativeImportRules (folder, allowed, { builtins, electron }) {
  const segs = folder.split('/')
  const configs = []
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const toSrc = segs.length + depth
    const patterns = [
      { regex: `^(\\.\\./){${toSrc + 1},}`, message: `Imports from outside src/ are not allowed in src/${folder} (DESIGN.md §1).` },
      { regex: '^/', message: 'Absolute import paths are not allowed.' }
    ]
    if (toSrc > depth + 1) {
      patterns.push({ regex: `^(\\.\\./){${depth + 1},${toSrc - 1}}(?!\\.\\./)`, message: `src/${folder} may import only from itself and ${allowed.map(a => `src/${a}`).join(', ') || 'nothing else'} (DESIGN.md §1).` })
    }
    const allowedAlt = allowed.map(esc).join('|')
    patterns.push({
      regex: allowed.length > 0 ? `^(\\.\\./){${toSrc}}(?!(${allowedAlt})(/|$))` : `^(\\.\\./){${toSrc}}`,
      message: `src/${folder} may import only from itself and ${allowed.map(a => `src/${a}`).join(', ') || 'nothing else'} (DESIGN.md §1).`
    })
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
  ...relativeImportRules('main/node', ['shared'], { builtins: false, electron: true }),
  ...relativeImportRules('renderer', ['shared'], { builtins: true, electron: true }),
  ...relativeImportRules('preload', ['shared'], { builtins: true, electron: false }),
  {
    // dynamic import() is not checked by no-restricted-imports
    name: 'wgt/layers/no-dynamic-electron',
    files: [`src/shared/**/*.${CODE}`, `src/main/node/**/*.${CODE}`, `src/renderer/**/*.${CODE}`],
    ignores: TESTS,
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "ImportExpression[source.value=/^electron(\\u002F|$)/]",
        message: 'This layer never imports electron (DESIGN.md §1).'
      }]
    }
  }
)
