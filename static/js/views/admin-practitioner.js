// #/practitioners/{id}/admin — one doctor as their organisation's administrator sets them up:
// the directory profile (position, specialties with experience, category, degree; job titles in
// ru, kk, en), the weekly schedule and days off, and the resulting week with its bookings.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, showError, showOk, statusLine } from '../forms.js';
import { locale, specialtyName, t } from '../i18n.js';
import { adminFrame, readTranslated, requireManager, textLanguageSwitch, translatedField, valuesOf } from './admin-common.js';
import { scheduleEditor } from './admin-schedule.js';
import { weekCalendar } from './schedule-week.js';

const TITLES = ['position', 'qualification_category', 'academic_degree'];
const LABELS = { position: 'prac.position', qualification_category: 'prac.category', academic_degree: 'prac.degree' };
let nextRow = 0;

function specialtyRow(options, s, onRemove) {
  const n = nextRow++;
  const select = h('select', { id: `spec-${n}-code`, name: `spec-${n}-code` },
    options.map(([code, name]) => h('option', { value: code }, name)));
  select.value = s.code;
  const years = h('input', { type: 'number', id: `spec-${n}-years`, name: `spec-${n}-years`, min: '0', max: '70',
    step: '1', inputmode: 'numeric' });
  years.value = String(s.experience_years ?? 0);
  return h('li', { class: 'specialty-row', dataset: { row: String(n) } },
    h('div', { class: 'field' }, h('label', { for: select.id }, t('admin.staff.specialty')), select),
    h('div', { class: 'field' }, h('label', { for: years.id }, t('admin.staff.experience')), years),
    h('button', { type: 'button', class: 'button button--secondary', onclick: (e) => onRemove(e.target.closest('li')) },
      t('admin.prices.remove')));
}

function profileForm(p, specialties) {
  const options = [...specialties].sort((a, b) => specialtyName(a).localeCompare(specialtyName(b), locale()))
    .map((s) => [s.code, specialtyName(s)]);
  const status = statusLine('form-status');
  const form = h('form', { class: 'form admin-form', id: 'profile-form', novalidate: true });
  const list = h('ul', { class: 'specialty-rows', id: 'profile-specialties' });
  const remove = (li) => {
    li.remove();
    add.focus();
  };
  const add = h('button', { type: 'button', class: 'button button--secondary', id: 'profile-add-specialty' },
    t('admin.practitioner.add_specialty'));
  add.addEventListener('click', () => {
    const row = specialtyRow(options, { code: options[0][0], experience_years: 0 }, remove);
    list.append(row);
    row.querySelector('select').focus();
  });
  for (const s of p.specialties) list.append(specialtyRow(options, s, remove));
  form.append(
    textLanguageSwitch(form, 'profile'),
    ...TITLES.flatMap((name) => translatedField(`profile-${name.replace(/_/g, '-')}`, LABELS[name],
      valuesOf(p, name), { required: name === 'position', maxlength: name === 'position' ? 200 : 100 })),
    h('h3', {}, t('prac.specialties')), list, h('div', { class: 'actions' }, add),
    h('button', { type: 'submit', class: 'button', id: 'profile-save' }, t('admin.save')),
    status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = readTranslated(form, 'profile', TITLES, {});
    body.specialties = [...list.children].map((li) => ({
      code: li.querySelector('select').value,
      experience_years: Number(li.querySelector('input').value),
    }));
    busy(form, async () => {
      try {
        await api.updatePractitioner(p.id, body);
        showOk(status, form, 'admin.practitioner.saved');
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return form;
}

export async function render({ params, query }, app) {
  const p = await api.practitionerForEdit(params[0]);
  const { me, page } = await requireManager(app, p.organization_id, 'admin.practitioner.heading');
  if (page) return page;
  const [org, specialties] = await Promise.all([api.organizationForEdit(p.organization_id), api.specialties()]);
  const wanted = /^\d{4}-\d{2}-\d{2}$/.test(query.get('date') || '') ? query.get('date') : null;
  const calendar = weekCalendar({ load: (date) => api.week(p.id, date), date: wanted });
  await calendar.reload();
  const panel = (id, key, ...content) => h('section', { class: 'panel', 'aria-labelledby': id },
    h('h2', { id }, t(key)), ...content);
  return adminFrame(org, me, '/staff', t('admin.practitioner.title', { name: p.full_name }),
    h('p', {}, h('a', { href: `#/practitioners/${encodeURIComponent(p.id)}` }, t('admin.practitioner.public'))),
    panel('profile-heading', 'admin.practitioner.profile', profileForm(p, specialties)),
    panel('schedule-heading', 'prac.schedule', scheduleEditor(p, () => calendar.reload())),
    panel('week-heading', 'admin.practitioner.week', calendar.element));
}
