// @ts-check
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// The process shows in the path (STYLE.md point 5): each layer may import only what runs where it runs.
const electron = { name: 'electron', message: 'Only electron/main and electron/preload may import Electron: this code must run in plain Node and browsers.' }
const layer = (message) => (group) => ({ group, message })

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'electron/server/db/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
          layer('electron/shared is the contract every process imports: it may import only zod and itself.')(['../*', 'node:*', 'electron/*', '@prisma/*', 'socket.io*', 'fastify*', 'vue', '@nuxt/*']),
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
        patterns: [layer('ChatClient runs in Node and in browsers: it may import only electron/shared.')(['**/server/*', '**/main/*', '**/preload/*', '**/renderer/*', 'electron/*', '@prisma/*', 'fastify*'])],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.mts'],
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
