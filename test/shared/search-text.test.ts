// The meaning of a search query (electron/shared/search-text.ts), apart from any database: what the
// index stores and what a term looks for agree with the rules as written, for random text in several
// scripts (fast-check, seeded); and the highlights mark exactly what matched.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fold, foldWithMap, highlights, indexText, searchTerms } from '../../electron/shared/search-text'

/** Letters with and without accents, capitals, CJK, kana, emoji (with a skin tone and a variation selector), spaces. */
const ALPHABET = ['a', 'b', 'c', 'é', 'E', 'ß', 'ﬁ', ' ', '\n', '北', '京', 'タ', 'ワ', '🎉', '👍', '🏽', '\uFE0F', '"', '*']
const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 24 }).map((cs) => cs.join(''))

/** The rules, written the plain way: a term of three or more folded characters, or of one CJK/emoji character, anywhere; two at a word's start. */
function reference(message: string, term: string): boolean {
  const m = fold(message).replace(/[\s\p{Cc}]+/gu, ' ')
  const t = fold(term)
  const own = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Extended_Pictographic}\p{Emoji_Modifier}]/u.test(t)
  const length = [...t].length
  if (length >= 3 || own) return m.includes(t)
  return length === 2 && (' ' + m).includes(' ' + t)
}

describe('search text', () => {
  it('finds a term in the index text exactly when the rules say it matches (2,000 random texts and queries)', () => {
    fc.assert(
      fc.property(text, text, (message, query) => {
        for (const term of searchTerms(query)) expect(indexText(message).includes(term.needle), `${JSON.stringify(message)} ∋ ${JSON.stringify(term.folded)}`).toBe(reference(message, term.folded))
      }),
      { numRuns: 2_000, seed: 20261203 },
    )
  })

  it('marks something exactly when the term matches, and every mark folds to the term', () => {
    fc.assert(
      fc.property(text, text, (message, query) => {
        for (const term of searchTerms(query)) {
          const marks = highlights(message, [term])
          expect(marks.length > 0).toBe(indexText(message).includes(term.needle))
          for (const [start, end] of marks) expect(fold(message.slice(start, end))).toContain(term.folded)
        }
      }),
      { numRuns: 2_000, seed: 20261204 },
    )
  })

  it('folds case, accents and compatibility forms, and maps each folded unit back to the text as written', () => {
    expect(fold('Café CRÈME ﬁne')).toBe('cafe creme fine')
    const f = foldWithMap('ﬁé👍')
    expect(f.text).toBe('fie👍')
    expect(f.from).toEqual([0, 0, 1, 2, 2])
    expect(f.to).toEqual([1, 1, 2, 4, 4])
  })

  it('splits a query at whitespace, drops repeats and one-letter terms, keeps one CJK character or emoji', () => {
    expect(searchTerms('  Hello\thello  a ok 京 🎉 "x*" ').map((t) => [t.needle, t.wordStart])).toEqual([
      ['hello', false],
      [' ok', true],
      ['京京京', false],
      ['🎉🎉🎉', false],
      ['"x*"', false],
    ])
    expect(searchTerms('a b c')).toEqual([])
  })
})
