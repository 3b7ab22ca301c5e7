import ui from '@nuxt/ui/vue-plugin'
import { createApp } from 'vue'
import App from './App.vue'
import { provideMessenger, resolveMessenger } from './messenger'
import './main.css'

const app = createApp(App)
app.use(ui)
void resolveMessenger().then((messenger) => {
  provideMessenger(app, messenger)
  app.mount('#app')
})
