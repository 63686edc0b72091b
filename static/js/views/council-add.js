// The initiator invites one more consultant to a council that is still assembling (art. 20–23),
// for instance in place of one who declined: a doctor by name, or a specialty an organisation
// assigns a consultant for — the ticked organisations by their schedules (art. 22), or, with none
// ticked, a simple queue (art. 23). Not while a fixed conclusion awaits signatures: the signers
// would change under it. The doctors and organisations are asked for on the first opening.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, resetStatus, selectField, showError, statusLine } from '../forms.js';
import { locale, t } from '../i18n.js';
import { organizationPicker } from './council-pickers.js';

/** Statuses in which the initiator may still change who takes part. */
const ASSEMBLING = ['awaiting_agreement', 'assembling'];

export function mayAddMember(k) {
  return k.my_role === 'initiator' && ASSEMBLING.includes(k.status)
    && (!k.conclusion || k.conclusion.status === 'draft');
}

/** `<details id="council-add-member">` with the form, or null where the initiator may not add. */
export function addMemberSection(k, ctx, redraw) {
  if (!mayAddMember(k)) return null;
  const specialties = [...ctx.names].sort((a, b) => a[1].localeCompare(b[1], locale()));
  const status = statusLine('council-add-status');
  const orgsPart = h('div', { id: 'council-add-organizations' },
    h('p', { class: 'hint' }, t('council.add_organizations_hint')));
  const form = h('form', { id: 'council-add-form', class: 'form', novalidate: true },
    h('p', { class: 'hint' }, t('council.add_hint')),
    selectField('council-add-mode', 'council.add_mode', [
      ['specialty', t('council.add_mode.specialty')],
      ['consultant', t('council.add_mode.consultant')],
    ]),
    selectField('council-add-specialty', 'council.add_specialty',
      [['', t('council.add_specialty_choose')], ...specialties]),
    selectField('council-add-consultant', 'council.add_consultant', []),
    orgsPart,
    h('button', { type: 'submit', class: 'button', id: 'council-add-submit' }, t('council.add_submit')),
    status);
  const $ = (sel) => form.querySelector(sel);
  const mode = $('#council-add-mode');
  const specialty = $('#council-add-specialty');
  const doctor = $('#council-add-consultant');
  const doctorField = doctor.closest('.field');
  let organizations = null;

  // Everyone ever invited is left out (who declined is not asked again), and so is the initiator.
  const invited = new Set((k.members || []).map((m) => m.practitioner_id));
  const isMe = (p) => p.organization_id === ctx.me.organization_id && p.full_name === ctx.me.full_name;
  let seq = 0;
  async function loadDoctors() {
    const mine = ++seq;
    const code = specialty.value;
    doctor.setAttribute('aria-busy', 'true');
    let options = [['', t('council.add_consultant_choose')]];
    try {
      const found = code ? (await api.practitioners(code)).filter((p) => !invited.has(p.id) && !isMe(p)) : [];
      if (mine !== seq) return;
      if (code && !found.length) options = [['', t('common.none_found')]];
      options.push(...found.map((p) => [p.id, `${p.full_name} — ${p.organization_name}`]));
    } catch (err) {
      if (mine !== seq) return;
      showError(status, form, err, { focus: false });
    }
    doctor.replaceChildren(...options.map(([value, text]) => h('option', { value }, text)));
    // Tests wait on this to know the list matches the specialty.
    doctor.removeAttribute('aria-busy');
    doctor.dataset.specialty = code;
  }
  const byName = () => mode.value === 'consultant';
  function showMode() {
    doctorField.hidden = !byName();
    orgsPart.hidden = byName();
    if (byName()) loadDoctors();
  }
  mode.addEventListener('change', showMode);
  specialty.addEventListener('change', () => {
    if (byName()) loadDoctors();
  });

  // The first opening asks for the organisations that hold councils (as in council-new.js).
  let opened = false;
  async function open() {
    if (opened) return;
    opened = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const all = await api.organizations();
      organizations = organizationPicker(all.filter((o) =>
        !Array.isArray(o.service_kinds) || o.service_kinds.includes('council')));
      orgsPart.append(organizations.el);
    } catch (err) {
      opened = false;
      showError(status, form, err, { focus: false });
    }
    form.removeAttribute('aria-busy');
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    resetStatus(status, form);
    let body;
    if (!specialty.value) body = { code: 'specialty_required' };
    else if (byName()) body = doctor.value ? { consultant: doctor.value } : { code: 'consultant_required' };
    else body = { specialty: specialty.value, organizations: organizations ? organizations.ids() : [] };
    if (body.code) {
      showError(status, form, body);
      return;
    }
    await busy(form, async () => {
      try {
        redraw(await api.addCouncilMember(k.id, body), { key: 'council.member_added_now' });
      } catch (err) {
        showError(status, form, err);
      }
    });
  });

  showMode();
  const details = h('details', { class: 'council-add-member', id: 'council-add-member' },
    h('summary', {}, t('council.add_open')), form);
  details.addEventListener('toggle', () => {
    if (details.open) open();
  });
  return details;
}
