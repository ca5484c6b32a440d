/**
 * detect: what a page is. Each field has a chain of evidence, strongest first, and the
 * manifest pin wins over all of it (pins exist for what detection cannot know):
 *  - locale: ms.contentlocale, else the script and common words of the localized text;
 *  - api: hosts of request URLs, Outlook's /api/ root, Graph links and odata types;
 *  - versions: request URLs, `Start beta content` regions, the beta-disclaimer include, docs
 *    monikers (`view=graph-rest-beta`), the version folder of the path, prose;
 *  - date: ms.lasthandoff, ms.date, the `uuid:` comment's timestamp;
 *  - translation: ms.translationtype, sxs-lookup spans, the share of English sentences.
 */
import type { Api, Version } from '../../../spec/model.ts';
import type { Detection, SourcePins, Translation } from '../../types.ts';
import type { PageView } from '../../view.ts';
import type { RuleMessage } from '../rule.ts';
import { requestLinesIn } from '../operations/path-template.ts';

export const DETECT_RULE_ID = 'detect';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function validDate(y: number, m: number, d: number): string | undefined {
  if (!(y > 1990 && y < 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return undefined;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** Dates as docfx writes them: 07/31/2019, July 12, 2016, 2015-10-25. */
export function parseDocDate(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(v);
  if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(v);
  if (m) return validDate(Number(m[3]), Number(m[1]), Number(m[2]));
  m = /^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})/.exec(v);
  if (m) {
    const month = MONTHS.findIndex((name) => name.startsWith((m?.[1] ?? '').toLowerCase().slice(0, 3)));
    if (month >= 0) return validDate(Number(m[3]), month + 1, Number(m[2]));
  }
  return undefined;
}

const REGION: Record<string, string> = {
  ja: 'ja-JP',
  zh: 'zh-CN',
  ko: 'ko-KR',
  ru: 'ru-RU',
  de: 'de-DE',
  fr: 'fr-FR',
  es: 'es-ES',
  pt: 'pt-BR',
  it: 'it-IT',
  en: 'en-US',
};

// A handful of frequent function words per Latin-script language is enough to tell them apart.
const STOPWORDS: Record<string, string[]> = {
  en: ['the', 'and', 'of', 'to', 'is', 'this', 'for', 'with', 'request', 'response'],
  de: ['der', 'die', 'und', 'das', 'ist', 'für', 'nicht', 'mit', 'eine', 'sie'],
  fr: ['le', 'la', 'les', 'des', 'est', 'pour', 'une', 'dans', 'avec', 'vous'],
  es: ['el', 'la', 'los', 'las', 'es', 'para', 'una', 'con', 'del', 'que'],
  pt: ['o', 'os', 'as', 'para', 'uma', 'com', 'não', 'do', 'da', 'que'],
  it: ['il', 'gli', 'della', 'per', 'una', 'con', 'che', 'non', 'sono', 'di'],
};

export function detectLanguage(text: string): string | undefined {
  const count = (re: RegExp) => text.match(re)?.length ?? 0;
  const kana = count(/[\u3040-\u30ff]/g);
  const han = count(/[\u4e00-\u9fff]/g);
  const hangul = count(/[\uac00-\ud7af]/g);
  const cyrillic = count(/[\u0400-\u04ff]/g);
  const latin = count(/[A-Za-zÀ-ÿ]/g);
  if (kana > 5) return 'ja';
  if (hangul > 5) return 'ko';
  if (han > 5) return 'zh';
  if (cyrillic > 20) return 'ru';
  if (latin < 20) return undefined;
  const words = text.toLowerCase().match(/[a-zà-ÿ]+/g) ?? [];
  const scores = Object.entries(STOPWORDS).map(([lang, list]) => {
    const set = new Set(list);
    return [lang, words.filter((w) => set.has(w)).length] as const;
  });
  scores.sort((a, b) => b[1] - a[1]);
  const best = scores[0];
  return best && best[1] > 0 ? best[0] : undefined;
}

function localizedText(view: PageView): string {
  // The localized stream only: English source spans and code would drown small pages.
  return view.sentences
    .map((s) => s.text)
    .join('\n')
    .slice(0, 50_000);
}

export interface DetectOutput {
  detection: Detection;
  messages: RuleMessage[];
}

export function sourceIdFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  const stem = base.replace(/\.[^.]+$/, '');
  const slug = stem
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '');
  return slug || 'page';
}

export function detect(view: PageView, pins: SourcePins = {}): DetectOutput {
  const messages: RuleMessage[] = [];
  const fm = view.frontmatter;
  const pinned: string[] = [];
  const get = (key: string): unknown => {
    const found = Object.keys(fm).find((k) => k.toLowerCase() === key.toLowerCase());
    return found ? fm[found] : undefined;
  };

  // api and versions from request lines: the strongest, language-free evidence.
  const apiVotes: Record<Api, number> = { graph: 0, outlook: 0 };
  const versionVotes = new Map<Version, number>();
  for (const block of view.codeBlocks) {
    for (const { request } of requestLinesIn(block.node)) {
      if (request.api) apiVotes[request.api] += 1;
      if (request.version) versionVotes.set(request.version, (versionVotes.get(request.version) ?? 0) + 1);
    }
  }
  const raw = view.text;
  if (/graph\.microsoft\.com|microsoft\.graph\.|\]\(\/graph\/|known-issues|permissions-reference|permissions_reference/i.test(raw)) apiVotes.graph += 1;
  if (/outlook\.office(365)?\.com\/api|Outlook REST API/i.test(raw)) apiVotes.outlook += 1;

  let api: Api;
  if (pins.api) {
    api = pins.api;
    pinned.push('api');
  } else if (apiVotes.outlook > apiVotes.graph) api = 'outlook';
  else {
    api = 'graph';
    if (apiVotes.graph === 0) {
      messages.push({ line: 1, column: 1, severity: 'warning', message: 'API not detected (no Graph or Outlook URL); assuming graph' });
    }
  }

  let versions: Version[];
  if (pins.versions?.length) {
    versions = [...pins.versions];
    pinned.push('versions');
  } else {
    const found = new Set<Version>(versionVotes.keys());
    for (const v of view.versionMarkers) found.add(v);
    if (!found.size && view.includes.some((name) => /beta/i.test(name))) found.add('beta');
    // A page without a request line (a resource page) still names its version in the docs
    // monikers of its links (`?view=graph-rest-beta`), else in where it is kept
    // (`api-reference/v1.0/resources/...`): both stronger than a word in the prose.
    if (!found.size) for (const v of versionsOfMonikers(raw)) found.add(v);
    if (!found.size) for (const v of versionsOfPath(view.path)) found.add(v);
    if (!found.size) {
      const prose = view.sentences.map((s) => `${s.text} ${s.en ?? ''}`).join('\n');
      if (/\bbeta\b|бета|ベータ|測試版|测试版|베타/i.test(prose)) found.add('beta');
      if (/\b(?:v|version |versión |versão |версии )?1\.0\b|版本 1\.0|1\.0 版/i.test(prose)) found.add('v1.0');
    }
    const allowed = api === 'graph' ? ['v1.0', 'beta'] : ['v1.0', 'v2.0', 'beta'];
    versions = [...found].filter((v) => allowed.includes(v));
    if (!versions.length) {
      versions = [api === 'graph' ? 'v1.0' : 'v2.0'];
      messages.push({ line: 1, column: 1, severity: 'warning', message: `API version not detected; assuming ${versions[0]}` });
    }
    const order: Version[] = ['v1.0', 'v2.0', 'beta'];
    versions.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  }

  let locale: string;
  const contentLocale = get('ms.contentlocale');
  if (pins.locale) {
    locale = pins.locale;
    pinned.push('locale');
  } else if (typeof contentLocale === 'string' && /^[a-z]{2}(-[A-Za-z]{2,4})?$/i.test(contentLocale.trim())) {
    const [lang = '', region] = contentLocale.trim().split('-');
    locale = region ? `${lang.toLowerCase()}-${region.toUpperCase()}` : (REGION[lang.toLowerCase()] ?? lang.toLowerCase());
  } else {
    const lang = detectLanguage(localizedText(view));
    if (lang) locale = REGION[lang] ?? lang;
    else {
      locale = 'en-US';
      messages.push({ line: 1, column: 1, severity: 'warning', message: 'language not detected; assuming en-US' });
    }
  }

  let date: string | undefined;
  let dateFrom: string | undefined;
  if (pins.date) {
    date = pins.date;
    dateFrom = 'manifest';
    pinned.push('date');
  } else {
    for (const key of ['ms.lasthandoff', 'ms.date']) {
      const parsed = parseDocDate(get(key));
      if (parsed) {
        date = parsed;
        dateFrom = key;
        break;
      }
    }
    if (!date) {
      for (const comment of view.comments) {
        const m = /uuid:\s*[0-9a-f-]+\s+(\d{4}-\d{2}-\d{2})/i.exec(comment.value);
        if (m?.[1]) {
          date = parseDocDate(m[1]);
          dateFrom = 'uuid comment';
          break;
        }
      }
    }
    if (!date) messages.push({ line: 1, column: 1, severity: 'info', message: 'page date not found (no ms.lasthandoff, ms.date or uuid comment)' });
  }

  let translation: Translation;
  const declared = String(get('ms.translationtype') ?? '').toUpperCase();
  if (pins.translation) {
    translation = pins.translation;
    pinned.push('translation');
  } else if (locale.startsWith('en')) translation = 'original';
  else if (view.bilingual) translation = 'bilingual';
  else if (declared === 'MT') translation = 'machine';
  else if (declared === 'HT') translation = 'human';
  else {
    const prose = view.sentences.filter((s) => s.container === 'paragraph' && s.text.length > 20);
    // Untranslated sentences: ASCII text whose common words are English (Spanish can be ASCII too).
    const english = prose.filter((s) => /^[\x20-\x7e]+$/.test(s.text) && detectLanguage(s.text) === 'en');
    translation = prose.length && english.length / prose.length > 0.15 ? 'mixed' : 'human';
    if (translation === 'human') {
      messages.push({ line: 1, column: 1, severity: 'info', message: 'translation kind not stated (no ms.translationtype); assuming human' });
    }
  }

  const title = typeof get('title') === 'string' ? String(get('title')).trim() : firstHeading(view);
  const anchor = view.blocks.find((b) => b.anchors.length)?.anchors[0];
  const id = pins.id ?? sourceIdFromPath(view.path);
  if (pins.id) pinned.push('id');

  const detection: Detection = {
    id,
    locale,
    api,
    versions,
    translation,
    bilingual: view.bilingual,
    ...(date ? { date } : {}),
    ...(dateFrom ? { dateFrom } : {}),
    ...(title ? { title } : {}),
    ...(anchor ? { anchor } : {}),
    pinned,
  };
  return { detection, messages };
}

const MONIKER = /\bgraph-rest-(1\.0|beta)\b/gi;

/**
 * The version the docs monikers name (`view=graph-rest-1.0`, `monikerRange: graph-rest-beta`):
 * the one most named, since a page may link a few pages of the other version.
 */
export function versionsOfMonikers(text: string): Version[] {
  if (!text.includes('graph-rest-')) return [];
  let beta = 0;
  let v1 = 0;
  for (const m of text.matchAll(MONIKER)) {
    if ((m[1] ?? '').toLowerCase() === 'beta') beta += 1;
    else v1 += 1;
  }
  return beta + v1 === 0 ? [] : [beta > v1 ? 'beta' : 'v1.0'];
}

/** The version folder a page is kept in: `.../v1.0/...`, `.../beta/...`, `.../v2.0/...` (the nearest one wins). */
export function versionsOfPath(path: string): Version[] {
  const segments = path.split(/[\\/]/).slice(0, -1).reverse();
  for (const segment of segments) {
    const s = segment.toLowerCase();
    if (s === 'beta') return ['beta'];
    if (s === 'v1.0') return ['v1.0'];
    if (s === 'v2.0') return ['v2.0'];
  }
  return [];
}

function firstHeading(view: PageView): string | undefined {
  const heading = view.sentences.find((s) => s.container === 'heading');
  return heading ? (heading.en ?? heading.text) : undefined;
}
