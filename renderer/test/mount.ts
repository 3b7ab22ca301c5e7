import ui from '@nuxt/ui/vue-plugin'
import { mount } from '@vue/test-utils'
import { defineComponent, h, type Component } from 'vue'
import UApp from '@nuxt/ui/components/App.vue'
import type { MessengerApi } from '../../electron/shared/messenger-api'
import { MESSENGER } from '../src/messenger'

/** Mounts a component inside Nuxt UI's App (tooltips and overlays need it), with a MessengerApi. */
export function mountUi(component: Component, props: Record<string, unknown> = {}, api?: MessengerApi) {
  const Host = defineComponent({ setup: () => () => h(UApp, null, { default: () => h(component, props) }) })
  return mount(Host, { attachTo: document.body, global: { plugins: [ui], provide: api ? { [MESSENGER as symbol]: api } : {} } })
}
