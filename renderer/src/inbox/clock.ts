import { onScopeDispose, ref, type Ref } from 'vue'

/** The current time, ticking every 30 s, so "now" and "Xm ago" stay true while the app is open. */
export function useNow(intervalMs = 30_000): Ref<Date> {
  const now = ref(new Date())
  const timer = setInterval(() => (now.value = new Date()), intervalMs)
  onScopeDispose(() => clearInterval(timer))
  return now
}
