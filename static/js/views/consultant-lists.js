// #/organizations/{id}/consultant-lists — art. 24: the head of an organisation decides which of
// its doctors take part in councils, per specialty. The order is the order of the simple queue
// that assigns consultants by turn (art. 23). The organisation's administrator adds, removes and
// orders the doctors of one specialty at a time; edits of several specialties are kept until
// each is saved.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { busy, showError, showOk, statusLine } from '../forms.js';
import { locale, t } from '../i18n.js';
import { signInNeeded, signedIn, specialtyNames } from './common.js';

function page(org, ...content) {
  return h('section', { class: 'consultant-lists', id: 'consultant-lists' },
    org ? h('p', { class: 'back' }, h('a', { href: `#/organizations/${encodeURIComponent(org.id)}/admin` },
      t('admin.back_to_admin'))) : null,
    org ? h('p', { class: 'back' }, h('a', { href: `#/organizations/${encodeURIComponent(org.id)}` }, org.name)) : null,
    pageTitle(t('consultant_lists.title')), ...content);
}

const sameIds = (a, b) => a.length === b.length && a.every((p, i) => p.id === b[i].id);

export async function render({ params, query }, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('consultant_lists.title', 'consultant_lists.need_login');
  const orgId = params[0];
  if (me.role !== 'org_admin' || me.organization_id !== orgId) {
    return page(null, h('p', { class: 'status status--error', role: 'alert' }, t('consultant_lists.admins_only')));
  }
  const [org, lists, staff, names] = await Promise.all([
    api.organization(orgId), api.consultantLists(orgId), api.practitioners(undefined, orgId), specialtyNames()]);
  // The directory's doctors of this organisation; a list only ever holds its own doctors.
  const doctors = staff.filter((p) => p.organization_id === orgId);
  const saved = new Map(lists.map((l) => [l.specialty, l.practitioners || []]));
  const drafts = new Map([...saved].map(([code, list]) => [code, [...list]]));
  const codes = new Set([...saved.keys(), ...doctors.flatMap((p) => (p.specialties || []).map((s) => s.code))]);
  const profiles = [...codes].map((code) => [code, names.get(code) || code])
    .sort((a, b) => a[1].localeCompare(b[1], locale()));
  if (!profiles.length) return page(org, h('p', { class: 'empty' }, t('consultant_lists.no_specialties')));

  const choose = h('select', { id: 'consultant-list-specialty', name: 'consultant-list-specialty' });
  const list = h('ol', { id: 'consultant-list', class: 'consultant-list' });
  const empty = h('p', { id: 'consultant-list-empty', class: 'muted' }, t('consultant_lists.empty'));
  const add = h('select', { id: 'consultant-list-add', name: 'consultant-list-add' });
  const addButton = h('button', { type: 'button', class: 'button button--secondary', id: 'consultant-list-add-button' },
    t('consultant_lists.add'));
  const dirtyNote = h('p', { id: 'consultant-list-dirty', class: 'hint', hidden: true }, t('consultant_lists.unsaved'));
  const status = statusLine('consultant-list-status');
  const form = h('form', { id: 'consultant-list-form', class: 'form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'consultant-list-specialty' }, t('consultant_lists.specialty')), choose),
    h('h2', { id: 'consultant-list-heading' }, t('consultant_lists.order')),
    h('p', { class: 'hint' }, t('consultant_lists.order_hint')),
    list, empty,
    h('div', { class: 'field' }, h('label', { for: 'consultant-list-add' }, t('consultant_lists.add_label')),
      h('div', { class: 'consultant-add' }, add, addButton)),
    dirtyNote,
    h('button', { type: 'submit', class: 'button', id: 'consultant-list-save' }, t('consultant_lists.save')),
    status);
  list.setAttribute('aria-labelledby', 'consultant-list-heading');

  const code = () => choose.value;
  const draft = () => drafts.get(code()) || [];
  function drawOptions() {
    const before = choose.value;
    choose.replaceChildren(...profiles.map(([c, name]) => h('option', { value: c },
      `${name} (${(drafts.get(c) || []).length})`)));
    choose.value = profiles.some(([c]) => c === before) ? before : profiles[0][0];
  }
  function move(i, by, action) {
    const next = [...draft()];
    if (action === 'remove') next.splice(i, 1);
    else [next[i], next[i + by]] = [next[i + by], next[i]];
    drafts.set(code(), next);
    draw();
    // Keep the keyboard where it was: on the moved doctor's same button, or on the list's next one.
    const target = action === 'remove' ? list.children[Math.min(i, next.length - 1)] : list.children[i + by];
    const button = target && (target.querySelector(`[data-action="${action}"]:not(:disabled)`)
      || target.querySelector('button:not(:disabled)'));
    (button || add).focus();
  }
  function draw() {
    const current = draft();
    const inList = new Set(current.map((p) => p.id));
    list.replaceChildren(...current.map((p, i) => h('li', { dataset: { practitionerId: p.id } },
      h('span', { class: 'consultant-name' }, p.full_name),
      h('span', { class: 'actions' },
        h('button', { type: 'button', class: 'button button--secondary', dataset: { action: 'up' }, disabled: i === 0,
          'aria-label': t('consultant_lists.up', { name: p.full_name }), onclick: () => move(i, -1, 'up') }, '↑'),
        h('button', { type: 'button', class: 'button button--secondary', dataset: { action: 'down' },
          disabled: i === current.length - 1, 'aria-label': t('consultant_lists.down', { name: p.full_name }),
          onclick: () => move(i, 1, 'down') }, '↓'),
        h('button', { type: 'button', class: 'button button--secondary', dataset: { action: 'remove' },
          'aria-label': t('consultant_lists.remove', { name: p.full_name }), onclick: () => move(i, 0, 'remove') },
        t('consultant_lists.remove_short'))))));
    empty.hidden = current.length > 0;
    const choices = doctors.filter((p) => !inList.has(p.id) && (p.specialties || []).some((s) => s.code === code()));
    add.replaceChildren(...(choices.length ? choices.map((p) => h('option', { value: p.id }, p.full_name))
      : [h('option', { value: '' }, t('consultant_lists.nobody_to_add'))]));
    add.disabled = !choices.length;
    addButton.disabled = !choices.length;
    const dirty = !sameIds(current, saved.get(code()) || []);
    dirtyNote.hidden = !dirty;
    form.dataset.dirty = String(dirty);
    form.dataset.specialty = code();
    drawOptions();
  }

  choose.addEventListener('change', () => {
    history.replaceState(null, '', `#/organizations/${encodeURIComponent(orgId)}/consultant-lists?specialty=${encodeURIComponent(code())}`);
    draw();
  });
  addButton.addEventListener('click', () => {
    const p = doctors.find((d) => d.id === add.value);
    if (!p) return;
    drafts.set(code(), [...draft(), { id: p.id, full_name: p.full_name }]);
    draw();
    add.focus();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const specialty = code();
    await busy(form, async () => {
      try {
        const result = await api.saveConsultantList(orgId, specialty, draft().map((p) => p.id));
        const practitioners = (result && result.practitioners) || draft();
        saved.set(specialty, practitioners);
        drafts.set(specialty, [...practitioners]);
        draw();
        showOk(status, form, 'consultant_lists.saved', { specialty: names.get(specialty) || specialty });
      } catch (err) {
        showError(status, form, err);
      }
    });
  });

  drawOptions();
  const wanted = query.get('specialty');
  if (profiles.some(([c]) => c === wanted)) choose.value = wanted;
  draw();
  return page(org, h('p', { class: 'lead' }, t('consultant_lists.intro')), form);
}
