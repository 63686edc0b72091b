// #/access-log — Rules art. 40: the patient (or their legal representative) sees every access to
// the patient's data: who (name, role, organisation), what, when and why. Times in the browser's
// zone. A page at a time: who accessed, with counts, is a list that filters the table; the kind
// of access filters it too; the patient's own views are left out unless asked for. The filter
// lives in the address (?who=&kind=&own=1&page=), so Back and a reload keep it.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { formatNumber, has, t } from '../i18n.js';
import { timeEl, userTimeZone, zoneLabel } from '../time.js';
import { scrollTable, signInNeeded, signedIn } from './common.js';

const KINDS = ['read', 'change', 'refused', 'break_glass'];
const PLATFORM = 'platform';

function th(key) {
  return h('th', { scope: 'col' }, t(key));
}

const roleText = (role) => (has(`role.${role}`) ? t(`role.${role}`) : role);

function who(entry) {
  if (!entry.actor) return t('access_log.platform');
  const a = entry.actor;
  return [h('strong', {}, a.full_name), h('br'), roleText(a.role),
    a.organization_name ? [', ', a.organization_name] : null];
}

function what(entry) {
  const key = `access.${entry.action}`;
  const text = has(key) ? t(key) : entry.action;
  return entry.outcome === 'ok' ? text : [text, ` (${has(`outcome.${entry.outcome}`) ? t(`outcome.${entry.outcome}`) : entry.outcome})`];
}

function why(entry) {
  const purpose = entry.purpose;
  if (!purpose) return entry.break_glass ? h('strong', {}, t('access_log.purpose_break_glass')) : '—';
  if (purpose.startsWith('break_glass:')) return h('strong', {}, t('access_log.purpose_break_glass'));
  if (purpose.startsWith('council:')) {
    return h('a', { href: `#/councils/${encodeURIComponent(purpose.slice('council:'.length))}` },
      t('access_log.purpose_council'));
  }
  return h('a', { href: `#/consultations/${encodeURIComponent(purpose)}` },
    t('access_log.purpose_consultation'));
}

/** The filter as the address states it. */
function filterOf(query, patient) {
  const page = Number.parseInt(query.get('page') || '1', 10);
  return {
    patient,
    who: query.get('who') || '',
    kind: KINDS.includes(query.get('kind')) ? query.get('kind') : '',
    own: query.get('own') === '1',
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

/** The address of the log with `change` applied; any change but the page starts at page 1. */
function hashOf(f, change = {}) {
  const next = { ...f, page: 1, ...change };
  const q = new URLSearchParams();
  if (next.patient) q.set('patient', next.patient);
  if (next.who) q.set('who', next.who);
  if (next.kind) q.set('kind', next.kind);
  if (next.own) q.set('own', '1');
  if (next.page > 1) q.set('page', String(next.page));
  const s = q.toString();
  return `#/access-log${s ? `?${s}` : ''}`;
}

/** Break-the-glass is loud whatever the filter: a banner with the way to those rows. */
function glassBanner(log, f) {
  const n = log.break_glass_grants;
  if (!n) return null;
  return h('div', { class: 'notice notice--alert' },
    h('p', { id: 'break-glass-banner', role: 'alert' }, t('access_log.break_glass_banner', { count: n })),
    f.kind === 'break_glass' ? null
      : h('p', {}, h('a', { href: hashOf(f, { kind: 'break_glass', who: '' }), id: 'break-glass-show' },
        t('access_log.break_glass_show'))));
}

function groupName(g) {
  return g.actor ? g.actor.full_name : t('access_log.platform');
}

/** Who accessed, most first: each a link that shows only theirs. */
function groupsList(log, f, zone) {
  if (!log.groups.length) return null;
  return h('section', { class: 'panel access-groups', id: 'access-groups', 'aria-labelledby': 'access-groups-heading' },
    h('h2', { id: 'access-groups-heading' }, t('access_log.groups_title')),
    h('ul', { class: 'access-group-list' }, log.groups.map((g) => {
      const key = g.actor ? g.actor.id : PLATFORM;
      const current = f.who === key;
      return h('li', { dataset: { who: key }, class: current ? 'is-current' : null },
        h('a', { href: hashOf(f, { who: current ? '' : key }), 'aria-current': current ? 'true' : null },
          groupName(g)),
        g.actor ? h('span', { class: 'muted' }, ' — ', roleText(g.actor.role),
          g.actor.organization_name ? `, ${g.actor.organization_name}` : '') : null,
        h('span', { class: 'access-group-count' }, ' · ', t('access_log.group_count', { n: formatNumber(g.count) }),
          ' · ', t('access_log.group_last'), ' ', timeEl(g.last_at, zone)));
    })));
}

function filters(log, f, app) {
  const countOf = (k) => (log.kinds.find((x) => x.kind === k) || { count: 0 }).count;
  const whoSelect = h('select', { id: 'access-log-who', onchange: (e) => app.go(hashOf(f, { who: e.target.value })) },
    h('option', { value: '' }, t('access_log.who_all')),
    log.groups.map((g) => {
      const key = g.actor ? g.actor.id : PLATFORM;
      return h('option', { value: key, selected: key === f.who }, `${groupName(g)} (${formatNumber(g.count)})`);
    }));
  const kindSelect = h('select', { id: 'access-log-kind', onchange: (e) => app.go(hashOf(f, { kind: e.target.value })) },
    h('option', { value: '' }, t('access_log.kind_all')),
    KINDS.map((k) => h('option', { value: k, selected: k === f.kind },
      `${t(`access_log.kind.${k}`)} (${formatNumber(countOf(k))})`)));
  const own = h('input', { type: 'checkbox', id: 'access-log-own', checked: f.own,
    onchange: (e) => app.go(hashOf(f, { own: e.target.checked })) });
  return h('form', { class: 'access-filters', id: 'access-log-filters', 'aria-label': t('access_log.filters'),
    onsubmit: (e) => e.preventDefault() },
  h('p', { class: 'field' }, h('label', { for: 'access-log-who' }, t('access_log.who')), whoSelect),
  h('p', { class: 'field' }, h('label', { for: 'access-log-kind' }, t('access_log.kind_label')), kindSelect),
  h('p', { class: 'choice access-own' }, own, h('label', { for: 'access-log-own' }, t('access_log.include_own'),
    !f.own && log.own_hidden ? h('span', { class: 'muted', id: 'access-log-own-hidden' },
      ' ', t('access_log.own_hidden', { n: formatNumber(log.own_hidden) })) : null)));
}

function table(entries, zone) {
  if (!entries.length) return h('p', { class: 'empty', id: 'access-log-empty' }, t('access_log.empty'));
  return scrollTable('access-log-caption', h('table', { class: 'table table--stack', id: 'access-log' },
    h('caption', { id: 'access-log-caption' }, t('access_log.zone', { zone: zoneLabel(zone) })),
    h('thead', {}, h('tr', {}, th('access_log.when'), th('access_log.who'), th('access_log.what'),
      th('access_log.why'))),
    h('tbody', {}, entries.map((e) => h('tr', {
      dataset: { action: e.action, kind: e.kind, breakGlass: String(Boolean(e.break_glass)) },
      class: e.break_glass ? 'row--alert' : null,
    },
      h('td', { dataset: { label: t('access_log.when') } }, timeEl(e.at, zone)),
      // One box for the name, role, organisation and badge: on a phone the cell is a grid of
      // label and value, where loose pieces would each take a cell of their own.
      h('td', { dataset: { label: t('access_log.who') } }, h('div', {}, who(e),
        e.break_glass ? [h('br'), h('span', { class: 'badge badge--alert' }, t('access_log.break_glass'))] : null)),
      h('td', { dataset: { label: t('access_log.what') } }, what(e)),
      h('td', { dataset: { label: t('access_log.why') } }, why(e)))))));
}

function pager(log, f) {
  const pages = Math.max(1, Math.ceil(log.total / log.limit));
  const link = (id, page, key) => (page >= 1 && page <= pages && page !== f.page
    ? h('a', { href: hashOf(f, { page }), id, class: 'button button--secondary', rel: key === 'prev' ? 'prev' : 'next' },
      t(`access_log.${key}`))
    : null);
  return h('nav', { class: 'pager', id: 'access-log-pager', 'aria-label': t('access_log.pages'),
    dataset: { page: String(f.page), pages: String(pages), total: String(log.total) } },
  link('access-log-prev', f.page - 1, 'prev'),
  h('span', { id: 'access-log-position' }, t('access_log.position', { page: formatNumber(Math.min(f.page, pages)),
    pages: formatNumber(pages), total: formatNumber(log.total) })),
  link('access-log-next', f.page + 1, 'next'));
}

export async function render({ query }, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('access_log.title', 'me.need_login');
  const zone = userTimeZone();
  // A representative picks whose log to read; a patient reads their own.
  const patients = me.role === 'representative' ? me.represented_patients : [];
  const chosen = me.role === 'representative' ? query.get('patient') || patients[0]?.id || null : null;
  const f = filterOf(query, chosen);
  const log = await api.accessLog(chosen, { page: f.page, limit: 50, who: f.who, kind: f.kind,
    include_own: f.own ? 'true' : '' });
  const picker = patients.length > 1
    ? h('p', { class: 'field' }, h('label', { for: 'access-log-patient' }, t('access_log.patient')),
      h('select', {
        id: 'access-log-patient',
        onchange: (ev) => app.go(hashOf({ patient: ev.target.value })),
      }, patients.map((p) => h('option', { value: p.id, selected: p.id === chosen }, p.full_name))))
    : null;
  return h('section', { id: 'access-log-page' },
    pageTitle(t('access_log.title')),
    h('p', {}, t('access_log.intro')),
    picker,
    glassBanner(log, f),
    groupsList(log, f, zone),
    filters(log, f, app),
    table(log.entries, zone),
    pager(log, f));
}
