// #/organizations/{id}/admin/staff — the organisation's accounts: doctors, support and
// administrators. A new employee is invited by an e-mailed link where they choose their own
// password (nobody hands passwords around); a doctor's directory profile (art. 34) comes with
// the invitation, so their schedule and prices can be set before they first sign in. An account
// is deactivated (it cannot sign in, its sessions end) and can be reactivated.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, field, selectField, showError, showOk, statusLine } from '../forms.js';
import { errorText, has, locale, specialtyName, t } from '../i18n.js';
import { adminFrame, requireManager } from './admin-common.js';
import { scrollTable } from './common.js';

const ROLES = ['doctor', 'support', 'org_admin'];

function stateOf(u) {
  if (u.deactivated_at) return 'deactivated';
  return u.invitation_pending ? 'invited' : 'active';
}

const roleText = (role) => (has(`role.${role}`) ? t(`role.${role}`) : role);

/** The row's buttons; `act(kind, user)` runs one and redraws the list. */
function actions(u, me, act) {
  const state = stateOf(u);
  const out = [];
  if (u.practitioner_id) {
    out.push(h('a', { class: 'button button--secondary', href: `#/practitioners/${encodeURIComponent(u.practitioner_id)}/admin` },
      t('admin.staff.schedule')));
  }
  if (state === 'invited') {
    out.push(h('button', { type: 'button', class: 'button button--secondary', dataset: { action: 'resend' },
      onclick: () => act('resend', u) }, t('admin.staff.resend')));
  }
  if (state === 'deactivated') {
    out.push(h('button', { type: 'button', class: 'button button--secondary', dataset: { action: 'reactivate' },
      onclick: () => act('reactivate', u) }, t('admin.staff.reactivate')));
  } else if (u.id !== me.id) {
    // Two steps: the first click asks, the second deactivates (a confirm() would block tests
    // and screen readers alike).
    const ask = h('button', { type: 'button', class: 'button button--danger', dataset: { action: 'deactivate' },
      'aria-label': t('admin.staff.deactivate_who', { name: u.full_name }) }, t('admin.staff.deactivate'));
    ask.addEventListener('click', () => {
      const sure = h('button', { type: 'button', class: 'button button--danger', dataset: { action: 'confirm-deactivate' },
        onclick: () => act('deactivate', u) }, t('admin.staff.deactivate_confirm', { name: u.full_name }));
      const cancel = h('button', { type: 'button', class: 'button button--secondary',
        onclick: () => { wrap.replaceChildren(ask); ask.focus(); } }, t('admin.cancel'));
      wrap.replaceChildren(sure, cancel);
      sure.focus();
    });
    const wrap = h('span', { class: 'actions' }, ask);
    out.push(wrap);
  }
  return h('div', { class: 'actions' }, out);
}

function staffTable(list, me, act) {
  const cell = (key, ...content) => h('td', { dataset: { label: t(key) } }, h('div', {}, ...content));
  return scrollTable('staff-caption', h('table', { class: 'table table--stack', id: 'staff' },
    h('caption', { id: 'staff-caption', class: 'visually-hidden' }, t('admin.staff.list')),
    h('thead', {}, h('tr', {}, ['admin.staff.name', 'admin.staff.role', 'admin.staff.email', 'admin.staff.state',
      'admin.staff.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, list.map((u) => h('tr', { dataset: { userId: u.id, state: stateOf(u), email: u.email } },
      cell('admin.staff.name', u.full_name),
      cell('admin.staff.role', roleText(u.role)),
      cell('admin.staff.email', u.email),
      cell('admin.staff.state', h('span', { class: `badge badge--${stateOf(u) === 'active' ? 'booked' : stateOf(u) === 'invited' ? 'awaiting_agreement' : 'cancelled'}` },
        t(`admin.staff.state.${stateOf(u)}`))),
      cell('admin.staff.actions', actions(u, me, act)))))));
}

function doctorFields(specialties) {
  const options = [...specialties].sort((a, b) => specialtyName(a).localeCompare(specialtyName(b), locale()))
    .map((s) => [s.code, specialtyName(s)]);
  const years = field('invite-experience', 'admin.staff.experience', { type: 'number', min: '0', max: '70', step: '1', inputmode: 'numeric' });
  years.querySelector('input').value = '0';
  return h('fieldset', { class: 'choices', id: 'invite-doctor' },
    h('legend', {}, t('admin.staff.doctor_profile')),
    h('p', { class: 'hint' }, t('admin.staff.doctor_profile_hint')),
    field('invite-position', 'prac.position', { type: 'text', maxlength: 200 }),
    selectField('invite-specialty', 'admin.staff.specialty', options),
    years,
    field('invite-category', 'prac.category', { type: 'text', maxlength: 100 }),
    field('invite-degree', 'prac.degree', { type: 'text', maxlength: 100 }));
}

function inviteForm(orgId, specialties, onInvited) {
  const status = statusLine('form-status');
  const role = selectField('invite-role', 'admin.staff.role', ROLES.map((r) => [r, roleText(r)]));
  const doctor = doctorFields(specialties);
  const form = h('form', { class: 'form admin-form', id: 'invite-form', novalidate: true },
    field('invite-full-name', 'admin.staff.name', { type: 'text', required: true, autocomplete: 'off', maxlength: 200 }),
    field('invite-iin', 'admin.staff.iin', { type: 'text', required: true, inputmode: 'numeric', maxlength: 12 }),
    field('invite-email', 'admin.staff.email', { type: 'email', required: true, autocomplete: 'off' }),
    role,
    selectField('invite-language', 'admin.staff.language', [['ru', 'Русский'], ['kk', 'Қазақша'], ['en', 'English']]),
    doctor,
    h('button', { type: 'submit', class: 'button', id: 'invite-send' }, t('admin.staff.invite')),
    status);
  const roleSelect = role.querySelector('select');
  const sync = () => { doctor.hidden = roleSelect.value !== 'doctor'; };
  roleSelect.addEventListener('change', sync);
  sync();
  const value = (id) => form.querySelector(`#${id}`).value.trim();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = {
      full_name: value('invite-full-name'), iin: value('invite-iin'), email: value('invite-email'),
      role: roleSelect.value, language: value('invite-language'),
    };
    if (body.role === 'doctor') {
      body.practitioner = {
        position: value('invite-position'),
        specialties: [{ code: value('invite-specialty'), experience_years: Number(value('invite-experience')) }],
        qualification_category: value('invite-category'),
        academic_degree: value('invite-degree'),
      };
    }
    busy(form, async () => {
      try {
        const user = await api.inviteStaff(orgId, body);
        for (const id of ['invite-full-name', 'invite-iin', 'invite-email', 'invite-position', 'invite-category', 'invite-degree']) {
          form.querySelector(`#${id}`).value = '';
        }
        showOk(status, form, 'admin.staff.invited', { email: user.email });
        onInvited(user);
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return form;
}

export async function render({ params }, app) {
  const orgId = params[0];
  const { me, page } = await requireManager(app, orgId, 'admin.staff.title');
  if (page) return page;
  const [org, specialties] = await Promise.all([api.organizationForEdit(orgId), api.specialties()]);
  const box = h('div', { id: 'staff-list' });
  const listStatus = h('p', { class: 'status', id: 'staff-status', role: 'status', 'aria-live': 'polite' });
  async function draw() {
    box.setAttribute('aria-busy', 'true');
    const list = await api.staff(orgId);
    box.replaceChildren(list.length ? staffTable(list, me, act) : h('p', { class: 'empty' }, t('common.none_found')));
    box.removeAttribute('aria-busy');
  }
  async function act(kind, u) {
    listStatus.className = 'status';
    delete listStatus.dataset.errorCode;
    delete listStatus.dataset.status;
    try {
      if (kind === 'resend') await api.resendInvite(orgId, u.id);
      if (kind === 'deactivate') await api.deactivateStaff(orgId, u.id);
      if (kind === 'reactivate') await api.reactivateStaff(orgId, u.id);
      listStatus.textContent = t(`admin.staff.done.${kind}`, { name: u.full_name });
      listStatus.className = 'status status--ok';
      listStatus.dataset.status = kind;
      await draw();
    } catch (err) {
      listStatus.textContent = errorText(err);
      listStatus.className = 'status status--error';
      listStatus.dataset.errorCode = err.code || 'unknown';
    }
  }
  await draw();
  return adminFrame(org, me, '/staff', t('admin.staff.title'),
    h('section', { class: 'panel', 'aria-labelledby': 'staff-heading' },
      h('h2', { id: 'staff-heading' }, t('admin.staff.list')), listStatus, box),
    h('section', { class: 'panel', 'aria-labelledby': 'invite-heading' },
      h('h2', { id: 'invite-heading' }, t('admin.staff.new')),
      h('p', { class: 'hint' }, t('admin.staff.new_hint')),
      inviteForm(orgId, specialties, () => draw())));
}
