// What a search query means, in one place for every engine (SQLite's FTS5 trigram index and
// PostgreSQL's pg_trgm index store the same text, made here) and for the highlights.
//
// - Text is compared folded: compatibility-decomposed, combining marks dropped, lower-cased
//   ("Café" and "CAFE" fold alike; so do "ﬁ" and "fi").
// - A query is split at whitespace into terms; each term is literal text (quotes, `*`, `NEAR`, `^`,
//   `:` are characters to find, never syntax) and a message matches when it holds every term.
// - A term of three or more characters matches anywhere (a substring: "ello" finds "hello").
// - A term of two characters matches at the start of a word ("ok" finds "okay", not "book"): the
//   trigram indexes need three characters, and the index text puts a space before every word.
// - Han, Hiragana, Katakana and emoji are written without spaces between words, so each of their
//   characters is stored three times over: one such character is already a whole trigram, and a
//   term of them matches anywhere, whatever its length ("京" and "北京" both find "北京市").
// - A term of one other character is too short to search for and is left out.
import { LIMITS } from './limits'

/** Each of these characters is a word of its own: stored and searched three times over. */
const OWN_WORD = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Extended_Pictographic}\p{Emoji_Modifier}]$/u
const MARKS = /\p{M}/gu
// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/
const SPACE = /[\s\p{Cc}]/u

function foldCodePoint(c: string): string {
  return c.normalize('NFKD').replace(MARKS, '').toLowerCase()
}

/** Folded text, and for each of its UTF-16 units the range of the original it came from. */
export interface Folded {
  text: string
  from: number[]
  to: number[]
}

/** Folds text for comparison, remembering where each folded unit came from (for highlights). */
export function foldWithMap(text: string): Folded {
  if (ASCII.test(text)) {
    const from = Array.from({ length: text.length }, (_, i) => i)
    return { text: text.toLowerCase(), from, to: from.map((i) => i + 1) }
  }
  let folded = ''
  const from: number[] = []
  const to: number[] = []
  let at = 0
  for (const c of text) {
    const f = foldCodePoint(c)
    folded += f
    for (let i = 0; i < f.length; i++) {
      from.push(at)
      to.push(at + c.length)
    }
    at += c.length
  }
  return { text: folded, from, to }
}

export function fold(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase()
  let folded = ''
  for (const c of text) folded += foldCodePoint(c)
  return folded
}

/** Folded text as stored: own-word characters three times over. */
function tripled(folded: string): string {
  if (ASCII.test(folded)) return folded
  let out = ''
  for (const c of folded) out += OWN_WORD.test(c) ? c + c + c : c
  return out
}

/**
 * The text a message is indexed by (the same on every engine): folded, whitespace and control
 * characters made single spaces, a space in front so that the first word starts after one too.
 */
export function indexText(content: string): string {
  return ' ' + tripled(fold(content).replace(/[\s\p{Cc}]+/gu, ' '))
}

/** One term of a query: what the index is searched for, and the folded term highlights look for. */
export interface SearchTerm {
  /** Literal text the message's index text must contain (three or more characters). */
  needle: string
  /** The folded term as the person typed it (for highlights). */
  folded: string
  /** Two characters: matched only where a word starts. */
  wordStart: boolean
}

/**
 * A query's terms: folded, split at whitespace and control characters, deduplicated, the ones too
 * short to search left out. Empty when nothing in the query can be searched for.
 */
export function searchTerms(query: string): SearchTerm[] {
  const terms: SearchTerm[] = []
  const seen = new Set<string>()
  for (const word of fold(query).split(/[\s\p{Cc}]+/u)) {
    if (!word || seen.has(word)) continue
    seen.add(word)
    const needle = tripled(word)
    const length = [...needle].length
    if (length >= 3) terms.push({ needle, folded: word, wordStart: false })
    else if (length === 2) terms.push({ needle: ' ' + needle, folded: word, wordStart: true })
  }
  return terms.slice(0, LIMITS.searchTermsMax)
}

/**
 * Where the terms occur in a message's text, as [start, end) ranges of UTF-16 units of the text as
 * written, sorted and merged: a client marks them, as text.
 */
export function highlights(content: string, terms: SearchTerm[]): [number, number][] {
  const f = foldWithMap(content)
  const ranges: [number, number][] = []
  for (const term of terms) {
    for (let i = f.text.indexOf(term.folded); i >= 0; i = f.text.indexOf(term.folded, i + 1)) {
      if (term.wordStart && i > 0 && !SPACE.test(f.text[i - 1]!)) continue
      ranges.push([f.from[i]!, f.to[i + term.folded.length - 1]!])
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const merged: [number, number][] = []
  for (const r of ranges) {
    const last = merged[merged.length - 1]
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1])
    else merged.push([r[0], r[1]])
  }
  return merged
}

/** Whether a message goes into the search index: what a person wrote, with text (not the server's notices). */
export const isSearchable = (content: string, system: boolean): boolean => !system && content.trim() !== ''
