// What the administration pages share: who may open them, the frame with the area's tabs, and
// texts an organisation writes in three languages (Russian required, Kazakh and English
// optional: a reader whose language has none reads the Russian one).

import { h, pageTitle } from '../dom.js';
import { t } from '../i18n.js';
import { signInNeeded, signedIn } from './common.js';

export const TEXT_LANGUAGES = ['ru', 'kk', 'en'];

/** The organisation's administrators manage it; the platform operator manages every one. */
export function managesOrganization(me, orgId) {
  return Boolean(me) && (me.role === 'platform_admin'
    || (me.role === 'org_admin' && me.organization_id === orgId));
}

function refusal(titleKey, messageKey) {
  return h('section', { class: 'narrow' }, pageTitle(t(titleKey)),
    h('p', { class: 'status status--error', role: 'alert', id: 'admin-refused' }, t(messageKey)));
}

/** The signed-in manager of the organisation as `{ me }`, or `{ page }` to show instead. */
export async function requireManager(app, orgId, titleKey) {
  const me = await signedIn(app);
  if (!me) return { page: signInNeeded(titleKey, 'admin.need_login') };
  if (!managesOrganization(me, orgId)) return { page: refusal(titleKey, 'admin.admins_only') };
  return { me };
}

/** The signed-in platform operator as `{ me }`, or `{ page }` to show instead. */
export async function requireOperator(app, titleKey) {
  const me = await signedIn(app);
  if (!me) return { page: signInNeeded(titleKey, 'admin.need_login') };
  if (me.role !== 'platform_admin') return { page: refusal(titleKey, 'operator.only') };
  return { me };
}

const TABS = [
  ['', 'admin.tab.overview'],
  ['/details', 'admin.tab.details'],
  ['/prices', 'admin.tab.prices'],
  ['/offer', 'admin.tab.offer'],
  ['/staff', 'admin.tab.staff'],
];

export const adminHash = (orgId, suffix = '') => `#/organizations/${encodeURIComponent(orgId)}/admin${suffix}`;

/** A page of the administration area: the organisation, the page's title (text) and the area's tabs. */
export function adminFrame(org, me, current, title, ...content) {
  const items = TABS.map(([suffix, key]) => h('li', {},
    h('a', { href: adminHash(org.id, suffix), 'aria-current': suffix === current ? 'page' : null }, t(key))));
  // Art. 24: the organisation's head decides who sits on councils; the operator is no party.
  if (me.role === 'org_admin') {
    items.push(h('li', {}, h('a', { href: `#/organizations/${encodeURIComponent(org.id)}/consultant-lists` },
      t('nav.consultant_lists'))));
  }
  const tabs = h('ul', {}, items);
  // On a phone the tabs are one row scrolled sideways: once drawn, bring the current one into
  // view (the later tabs would otherwise sit unseen past the edge).
  requestAnimationFrame(() => {
    const here = tabs.querySelector('[aria-current="page"]');
    if (!here || tabs.scrollWidth <= tabs.clientWidth) return;
    const offset = here.getBoundingClientRect().left - tabs.getBoundingClientRect().left;
    tabs.scrollLeft += offset - (tabs.clientWidth - here.offsetWidth) / 2;
  });
  const operatorBack = me.role === 'platform_admin'
    ? h('p', { class: 'back' }, h('a', { href: '#/operator' }, t('operator.back'))) : null;
  return h('section', { class: 'admin', id: 'admin-page', dataset: { tab: current.slice(1) || 'overview' } },
    operatorBack,
    h('p', { class: 'back' }, h('a', { href: `#/organizations/${encodeURIComponent(org.id)}` }, org.name)),
    pageTitle(title),
    h('nav', { class: 'admin-tabs', 'aria-label': t('admin.tabs_label') }, tabs),
    ...content);
}

/**
 * The switch that shows one language's texts of a form at a time. Inputs of the other languages
 * stay in the form (hidden), so all three are sent and kept across a change of the page's
 * language.
 */
export function textLanguageSwitch(form, idPrefix) {
  const name = `${idPrefix}-text-lang`;
  const show = (lang) => {
    for (const el of form.querySelectorAll('[data-text-lang]')) el.hidden = el.dataset.textLang !== lang;
  };
  const radios = TEXT_LANGUAGES.map((lang) => {
    const input = h('input', { type: 'radio', name, id: `${name}-${lang}`, value: lang, checked: lang === 'ru' });
    input.addEventListener('change', () => show(lang));
    return h('span', { class: 'text-lang-choice' }, input,
      h('label', { for: `${name}-${lang}` }, t(`admin.text_lang.${lang}`)));
  });
  queueMicrotask(() => show('ru'));
  return h('fieldset', { class: 'text-langs', id: `${idPrefix}-text-langs` },
    h('legend', {}, t('admin.text_lang')),
    h('p', { class: 'hint' }, t('admin.text_lang_hint')), ...radios);
}

/**
 * One text in three languages: an input (or a textarea) per language, with ids `${id}-ru` …,
 * shown by [`textLanguageSwitch`]. `values` is `{ ru, kk, en }`.
 */
export function translatedField(id, labelKey, values, { multiline = false, required = false, maxlength } = {}) {
  return TEXT_LANGUAGES.map((lang) => {
    const inputId = `${id}-${lang}`;
    const attrs = { id: inputId, name: inputId, maxlength, required: required && lang === 'ru' };
    const input = multiline
      ? h('textarea', { ...attrs, rows: '3' })
      : h('input', { ...attrs, type: 'text' });
    input.value = values[lang] || '';
    // The Russian original shows through an empty translation: what to translate, and what
    // readers of that language see until it is done.
    if (lang !== 'ru' && values.ru) input.placeholder = values.ru;
    return h('div', { class: 'field', dataset: { textLang: lang } },
      h('label', { for: inputId }, `${t(labelKey)} (${t(`admin.text_lang.${lang}`)})`),
      lang === 'ru' ? null : h('p', { class: 'hint' }, t('admin.translation_hint')),
      input);
  });
}

/** The three values of a translated field: `{ ru, kk, en }` from an object and its translations. */
export function valuesOf(obj, name) {
  const tr = obj.translations || {};
  return { ru: obj[name] || '', kk: (tr.kk || {})[name] || '', en: (tr.en || {})[name] || '' };
}

/** Reads translated fields back: the Russian texts into `body`, the others into `body.translations`. */
export function readTranslated(form, idPrefix, names, body) {
  const translations = { kk: {}, en: {} };
  for (const name of names) {
    const id = `${idPrefix}-${name.replace(/_/g, '-')}`;
    body[name] = form.querySelector(`#${id}-ru`).value;
    for (const lang of ['kk', 'en']) translations[lang][name] = form.querySelector(`#${id}-${lang}`).value;
  }
  // Blank translations are sent too: the server drops them, which removes a cleared one.
  body.translations = translations;
  return body;
}

