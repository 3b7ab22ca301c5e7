// Realistic chat text for the search benchmark, the same for a given seed: each language's most
// frequent words (real ones) followed by a long tail of made-up words, drawn with Zipf's law (the
// word of rank r with weight 1/r), in messages of 2 to 16 words; English most, then German, French,
// Spanish, Chinese and Japanese (written without spaces), an emoji now and then.
import { rng } from './change-mix'

const words = (text: string): string[] => text.split(/\s+/).filter(Boolean)

const ENGLISH = words(`the and you that for was with his they are this have from one had but not what all were
  when your can said there use each which she how their will other about out many then them these some her
  would make like him into time has look two more write see number way could people than first water been
  call who its now find long down day did get come made may part meeting tomorrow today lunch project deploy
  release thanks great sounds good later coffee office review build test morning tonight weekend please sorry
  maybe sure okay yes nope think know want need going back still just really right here where why because
  team client invoice budget schedule agenda slides report draft update issue ticket server laptop password`)
const GERMAN = words(`der die und ist nicht ich du wir ein eine zu mit für auf das heute morgen über schön grüße
  müssen können straße fünf größe bitte danke später vielleicht natürlich wirklich zusammen besprechung
  arbeit woche nächste früh gestern gemütlich kaffee büro`)
const FRENCH = words(`le la les et est pas je tu nous un une pour avec sur ça très été où après demain réunion café
  déjà français bientôt peut-être merci désolé d'accord ensemble travail semaine prochaine hier matin soirée
  bureau journée idée problème`)
const SPANISH = words(`el la los las y es no yo tú un una para con por qué está mañana reunión año niño señor
  gracias también después quizás ahora siempre trabajo semana próxima ayer oficina café problema equipo
  cumpleaños está`)
const CHINESE = words(`我们 你好 今天 明天 北京 上海 工作 会议 时间 问题 朋友 公司 中国 东西 知道 谢谢 晚上 项目 开始
  已经 觉得 可以 没有 什么 现在 一起 因为 所以 还是 电话 吃饭 周末 下午 上午 报告 客户 地址 邮件 手机 老师`)
const JAPANESE = words(`今日 明日 東京 会議 時間 お願い します ありがとう です ます 仕事 電話 大丈夫 本当 ちょっと
  よろしく 友達 映画 勉強 コーヒー プロジェクト 資料 確認 予定 週末 午後 大阪 駅 新幹線 すみません`)
const EMOJI = ['🎉', '👍', '😂', '❤️', '🙏', '🚀', '👍🏽', '😮']

/** Made-up words from syllables: the long tail every language's real words are followed by. */
function tail(count: number, next: () => number): string[] {
  const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'st', 'tr', 'pl', 'gr', 'sh', 'ch']
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ea']
  const codas = ['', '', 'n', 'r', 's', 'l', 'm', 'x', 'nd', 'st']
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)]!
  const made = new Set<string>()
  while (made.size < count) {
    const syllables = 2 + Math.floor(next() * 3)
    let w = ''
    for (let i = 0; i < syllables; i++) w += pick(onsets) + pick(vowels) + (i === syllables - 1 ? pick(codas) : '')
    made.add(w)
  }
  return [...made]
}

interface Vocabulary {
  words: string[]
  /** Cumulative Zipf weights, for sampling by binary search. */
  cumulative: Float64Array
  /** Words are joined without spaces (Chinese, Japanese). */
  joined: boolean
}

function vocabulary(list: string[], joined: boolean): Vocabulary {
  const cumulative = new Float64Array(list.length)
  let sum = 0
  for (let r = 0; r < list.length; r++) cumulative[r] = sum += 1 / (r + 1)
  return { words: list, cumulative, joined }
}

export class Corpus {
  readonly tailWords: string[]
  private readonly tailSet: Set<string>
  private readonly next: () => number
  private readonly languages: { share: number; vocabulary: Vocabulary }[]
  /** How often each made-up word was used (to pick rare ones that occur). */
  readonly tailCounts = new Map<string, number>()

  constructor(seed: number, tailSize = 40_000) {
    this.next = rng(seed)
    this.tailWords = tail(tailSize, rng(seed + 1))
    this.tailSet = new Set(this.tailWords)
    const latin = (list: string[]) => vocabulary([...list, ...this.tailWords], false)
    this.languages = [
      { share: 0.6, vocabulary: latin(ENGLISH) },
      { share: 0.1, vocabulary: latin(GERMAN) },
      { share: 0.1, vocabulary: latin(FRENCH) },
      { share: 0.1, vocabulary: latin(SPANISH) },
      { share: 0.05, vocabulary: vocabulary(CHINESE, true) },
      { share: 0.05, vocabulary: vocabulary(JAPANESE, true) },
    ]
  }

  private word(v: Vocabulary): string {
    const x = this.next() * v.cumulative[v.cumulative.length - 1]!
    let lo = 0
    let hi = v.cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (v.cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return v.words[lo]!
  }

  message(): string {
    let x = this.next()
    const language = this.languages.find((l) => (x -= l.share) < 0) ?? this.languages[0]!
    const v = language.vocabulary
    const count = 2 + Math.floor(this.next() * 15)
    const picked: string[] = []
    for (let i = 0; i < count; i++) {
      const w = this.word(v)
      picked.push(w)
      if (this.tailSet.has(w)) this.tailCounts.set(w, (this.tailCounts.get(w) ?? 0) + 1)
    }
    let text = picked.join(v.joined ? '' : ' ')
    if (!v.joined) text = text[0]!.toUpperCase() + text.slice(1)
    if (this.next() < 0.03) text += ' ' + EMOJI[Math.floor(this.next() * EMOJI.length)]
    return text
  }

  /** Frequent words of the languages written without spaces (for the Chinese query). */
  static readonly chinese = CHINESE
  static readonly english = ENGLISH
}
