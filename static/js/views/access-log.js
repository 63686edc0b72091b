// #/access-log — Rules art. 40: the patient (or their legal representative) sees every access to
// the patient's data: who (name, role, organisation), what, when and why. Times in the browser's zone.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { has, t } from '../i18n.js';
import { timeEl, userTimeZone, zoneLabel } from '../time.js';
import { scrollTable, signInNeeded, signedIn } from './common.js';

function th(key) {
  return h('th', { scope: 'col' }, t(key));
}

function who(entry) {
  if (!entry.actor) return t('access_log.platform');
  const a = entry.actor;
  const role = has(`role.${a.role}`) ? t(`role.${a.role}`) : a.role;
  return [h('strong', {}, a.full_name), h('br'), role,
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

/** Break-the-glass is loud: a banner above the table and a marked row for each grant and read. */
function glassBanner(entries) {
  const grants = entries.filter((e) => e.action === 'patient.break_glass' && e.outcome === 'ok');
  if (!grants.length) return null;
  return h('p', { class: 'notice notice--alert', id: 'break-glass-banner', role: 'alert' },
    t('access_log.break_glass_banner', { count: grants.length }));
}

function table(entries, zone) {
  if (!entries.length) return h('p', { class: 'empty' }, t('access_log.empty'));
  return scrollTable('access-log-caption', h('table', { class: 'table table--stack', id: 'access-log' },
    h('caption', { id: 'access-log-caption' }, t('access_log.zone', { zone: zoneLabel(zone) })),
    h('thead', {}, h('tr', {}, th('access_log.when'), th('access_log.who'), th('access_log.what'),
      th('access_log.why'))),
    h('tbody', {}, entries.map((e) => h('tr', {
      dataset: { action: e.action, breakGlass: String(Boolean(e.break_glass)) },
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

export async function render({ query }, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('access_log.title', 'me.need_login');
  const zone = userTimeZone();
  // A representative picks whose log to read; a patient reads their own.
  const patients = me.role === 'representative' ? me.represented_patients : [];
  const chosen = query.get('patient') || patients[0]?.id || null;
  const entries = await api.accessLog(me.role === 'representative' ? chosen : null);
  const picker = patients.length > 1
    ? h('p', {}, h('label', { for: 'access-log-patient' }, t('access_log.patient')), ' ',
      h('select', {
        id: 'access-log-patient',
        onchange: (ev) => app.go(`#/access-log?patient=${encodeURIComponent(ev.target.value)}`),
      }, patients.map((p) => h('option', { value: p.id, selected: p.id === chosen }, p.full_name))))
    : null;
  return h('section', {},
    pageTitle(t('access_log.title')),
    h('p', {}, t('access_log.intro')),
    picker,
    glassBanner(entries),
    table(entries, zone));
}
