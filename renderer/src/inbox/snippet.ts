// What a search result shows of its message: a window of the text around the first match, cut into
// plain and marked parts. The parts are rendered as text (the marked ones in <mark>), never as HTML.

export interface SnippetPart {
  text: string
  mark: boolean
}

export interface Snippet {
  parts: SnippetPart[]
  /** Text was left out before / after the window. */
  cutBefore: boolean
  cutAfter: boolean
}

/** Characters shown before the first match, at most. */
const LEAD = 30
/** Characters in the window, at most (the CSS clamps it to two lines anyway). */
const WIDTH = 140
/** Text before the window shorter than this is shown rather than cut. */
const SHORT_CUT = 15

const isLowSurrogate = (text: string, at: number) => {
  const code = text.charCodeAt(at)
  return code >= 0xdc00 && code <= 0xdfff
}

/** The server's ranges made safe to cut by: inside the text, on whole code points, sorted, merged, none empty. */
export function cleanRanges(text: string, ranges: readonly (readonly [number, number])[]): [number, number][] {
  const inside = ranges
    .map(([start, end]): [number, number] => {
      let s = Math.max(0, Math.min(text.length, Math.trunc(start)))
      let e = Math.max(0, Math.min(text.length, Math.trunc(end)))
      if (s > 0 && isLowSurrogate(text, s)) s--
      if (e < text.length && isLowSurrogate(text, e)) e++
      return [s, e]
    })
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const merged: [number, number][] = []
  for (const r of inside) {
    const last = merged.at(-1)
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1])
    else merged.push([r[0], r[1]])
  }
  return merged
}

/** Moves a cut point off the second half of a surrogate pair (an emoji is never split). */
const onCodePoint = (text: string, at: number) => (at > 0 && at < text.length && isLowSurrogate(text, at) ? at - 1 : at)

/**
 * The window of `text` around its first highlight (the start when there is none): begins at a word
 * boundary up to LEAD characters before the match, ends at a word boundary within WIDTH characters.
 */
export function snippetOf(text: string, highlights: readonly (readonly [number, number])[]): Snippet {
  const ranges = cleanRanges(text, highlights)
  const first = ranges[0] ?? [0, 0]
  let start = first[0] - LEAD
  // A cut that would leave out only a word or two is not worth its ellipsis.
  if (start <= SHORT_CUT) start = 0
  else {
    // Start after a space rather than inside a word, if there is one before the match.
    const space = text.slice(start, first[0]).search(/\s/)
    start = space >= 0 ? start + space + 1 : start
  }
  start = onCodePoint(text, start)
  let end = Math.min(text.length, Math.max(start + WIDTH, first[1]))
  if (end < text.length) {
    const lastSpace = text.slice(first[1], end).search(/\s\S*$/)
    if (lastSpace > 0) end = first[1] + lastSpace
  }
  end = onCodePoint(text, end)
  const parts: SnippetPart[] = []
  let at = start
  for (const [s, e] of ranges) {
    if (e <= start || s >= end) continue
    const from = Math.max(s, start)
    if (from > at) parts.push({ text: text.slice(at, from), mark: false })
    at = Math.min(e, end)
    parts.push({ text: text.slice(from, at), mark: true })
  }
  if (at < end) parts.push({ text: text.slice(at, end), mark: false })
  return { parts, cutBefore: start > 0, cutAfter: end < text.length }
}
