// Interface texts from /i18n/{lang}.json; the choice is remembered in localStorage.

import { formatBytes, formatNumber } from './numbers.js';

export const LANGUAGES = ['ru', 'kk', 'en'];
const STORAGE_KEY = 'telemed.lang';
const LOCALES = { ru: 'ru-RU', kk: 'kk-KZ', en: 'en-GB' };
const loaded = new Map();
let current = 'ru';
let messages = {};
let switchSeq = 0;

/** The remembered choice; on a first visit, the browser's languages (Accept-Language). */
export function initialLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled; the default language still works.
  }
  if (LANGUAGES.includes(saved)) return saved;
  for (const tag of navigator.languages || [navigator.language || '']) {
    const primary = String(tag).toLowerCase().split(/[-_]/)[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return 'ru';
}

/** Loads and applies a language; false if a later call overtook this one while loading. */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) lang = 'ru';
  const mine = ++switchSeq;
  if (!loaded.has(lang)) {
    const res = await fetch(`/i18n/${lang}.json`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`cannot load texts for ${lang}`);
    loaded.set(lang, await res.json());
  }
  if (mine !== switchSeq) return false;
  current = lang;
  messages = loaded.get(lang);
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered, but switched.
  }
  return true;
}

export const language = () => current;
export const locale = () => LOCALES[current];
export const has = (key) => Object.hasOwn(messages, key);

/** t('register.language_note', {language: 'English'}) */
export function t(key, vars = {}) {
  const text = has(key) ? messages[key] : key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** plural('unit.years', 5) → "5 лет": picks key.one/few/many/other by the language's rules. */
export function plural(base, n) {
  const category = new Intl.PluralRules(locale()).select(n);
  const key = has(`${base}.${category}`) ? `${base}.${category}` : `${base}.other`;
  return t(key, { n: formatNumber(n) });
}

export function specialtyName(specialty) {
  return specialty[`name_${current}`] || specialty.name_ru || specialty.code;
}

/** An API error in the user's language (a translation may quote the server's message, which
 *  names the field, as {message}); unknown codes show the server's own message. */
export function errorText(err) {
  const code = err && err.code;
  if (code && has(`error.${code}`)) return t(`error.${code}`, { message: (err && err.message) || '' });
  return t('error.generic', { message: (err && err.message) || code || '?' });
}

/** Static texts in index.html carry data-i18n (text) or data-i18n-label (aria-label). */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }
}

// Numbers, sizes and dates follow the language, with a fallback where the browser lacks its
// data (Kazakh in Debian's Chromium); they live beside the rest of the formatting.
export { formatBytes, formatNumber };
export { formatDate, formatInstant } from './time.js';
