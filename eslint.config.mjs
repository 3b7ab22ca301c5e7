// @ts-check
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// The process shows in the path (STYLE.md point 5): each layer may import only what runs where it runs.
const electron = { name: 'electron', message: 'Only electron/main and electron/preload may import Electron: this code must run in plain Node and browsers.' }
const layer = (message) => (group) => ({ group, message })

// Electron's security checklist as syntax the shell may not contain (items 2-4, 6, 8-12, 15, 17, 18);
// `allow` names the one file where a call has its home.
const shellSyntax = (allow = {}) => ['error',
  { selector: "Property[key.name=/^(nodeIntegration|nodeIntegrationInWorker|nodeIntegrationInSubFrames|webviewTag|experimentalFeatures|allowRunningInsecureContent)$/][value.value=true]", message: 'Electron security checklist: this webPreference stays off.' },
  { selector: "Property[key.name=/^(contextIsolation|sandbox|webSecurity)$/][value.value=false]", message: 'Electron security checklist: this webPreference stays on.' },
  { selector: "Property[key.name='enableBlinkFeatures']", message: 'Electron security checklist: no experimental Blink features.' },
  { selector: "CallExpression[callee.property.name='loadFile']", message: 'The renderer comes over app://, never file:// (electron/main/app-protocol.ts).' },
  ...(allow.window ? [] : [{ selector: "NewExpression[callee.name='BrowserWindow']", message: 'The app has one window, made in electron/main/window.ts with the hardened webPreferences written out there.' }]),
  ...(allow.ipc ? [] : [{ selector: "CallExpression[callee.object.name='ipcMain']", message: 'IPC handlers are registered in electron/main/ipc.ts only, where every call has its sender checked.' }]),
  ...(allow.openExternal ? [] : [{ selector: "CallExpression[callee.object.name='shell'][callee.property.name='openExternal']", message: 'shell.openExternal is called in electron/main/index.ts only, behind isWebUrl.' }]),
]

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'electron/server/db/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The renderer's single-file components, their templates included, with TypeScript in <script setup>.
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] }, globals: globals.browser },
    rules: {
      // User text is rendered as text, never as HTML.
      'vue/no-v-html': 'error',
      'vue/no-v-text-v-html-on-component': 'error',
      // Layout is the formatter's business; the templates keep a component's attributes on one line.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['electron/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [
          layer('electron/shared is the contract every process imports: it may import only zod, mitt and itself.')(['../*', 'node:*', 'electron/*', '@prisma/*', 'socket.io*', 'fastify*', 'vue', '@nuxt/*']),
        ],
      }],
    },
  },
  {
    files: ['electron/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [layer('The server runs headless too: it may not reach into the desktop shell, the client or the renderer.')(['**/main/*', '**/preload/*', '**/client/*', '**/renderer/*', 'electron/*'])],
      }],
    },
  },
  {
    files: ['electron/client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [layer('ChatClient runs in Node and in browsers: it may import only electron/shared (files and other Node-only stores belong to electron/main).')(['**/server/*', '**/main/*', '**/preload/*', '**/renderer/*', 'electron/*', '@prisma/*', 'fastify*', 'node:*'])],
      }],
    },
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [layer('The shell hosts the server as a separate process (cli.ts) and talks to it through ChatClient: it may import electron/shared and electron/client, never the server or the renderer.')(['**/server/*', '**/renderer/*', '**/preload/*', '@prisma/*', 'fastify*'])],
      }],
      'no-restricted-syntax': shellSyntax(),
    },
  },
  // Each of the shell's sensitive calls has one home, where its runtime test looks.
  { files: ['electron/main/window.ts'], rules: { 'no-restricted-syntax': shellSyntax({ window: true }) } },
  { files: ['electron/main/ipc.ts'], rules: { 'no-restricted-syntax': shellSyntax({ ipc: true }) } },
  { files: ['electron/main/index.ts'], rules: { 'no-restricted-syntax': shellSyntax({ openExternal: true }) } },
  {
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [layer('The sandboxed preload can require only electron: it may import electron/shared (bundled into it) and nothing else of ours or of Node.')(['**/server/*', '**/client/*', '**/main/*', '**/renderer/*', 'node:*', '@prisma/*', 'fastify*', 'socket.io*'])],
      }],
      'no-restricted-syntax': ['error',
        ...shellSyntax().slice(1),
        { selector: "CallExpression[callee.property.name='exposeInMainWorld'][arguments.0.value!='messenger']", message: 'The page gets window.messenger and nothing else.' },
        { selector: "CallExpression[callee.property.name='exposeInMainWorld'] > Identifier.arguments[name=/^(ipcRenderer|require|process)$/]", message: 'Never hand the page an Electron or Node object: expose named operations (buildBridge).' },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.mts', 'renderer/**/*.vue'],
    ignores: ['renderer/vite.plugins.mts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [layer('The renderer talks only to the MessengerApi: it may import electron/shared and the web client adapter, never the server or the shell.')(['**/server/*', '**/main/*', '**/preload/*', 'node:*', '@prisma/*', 'fastify*', 'socket.io*'])],
      }],
    },
  },
  {
    files: ['renderer/**/*.d.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
)
