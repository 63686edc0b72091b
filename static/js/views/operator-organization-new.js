// #/operator/organizations/new — the platform operator registers an organisation (its art. 34
// data and internal rules) and invites its first administrator, who takes over from there.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { busy, field, selectField, showError, showOk } from '../forms.js';
import { t } from '../i18n.js';
import { adminHash, requireOperator } from './admin-common.js';
import { EMPTY_ORGANIZATION, organizationForm } from './admin-org-form.js';

function firstAdmin() {
  return h('section', { class: 'panel', 'aria-labelledby': 'first-admin-heading', id: 'first-admin' },
    h('h2', { id: 'first-admin-heading' }, t('operator.first_admin')),
    h('p', { class: 'hint' }, t('operator.first_admin_hint')),
    field('admin-full-name', 'admin.staff.name', { type: 'text', required: true, maxlength: 200, autocomplete: 'off' }),
    field('admin-iin', 'admin.staff.iin', { type: 'text', required: true, inputmode: 'numeric', maxlength: 12 }),
    field('admin-email', 'admin.staff.email', { type: 'email', required: true, autocomplete: 'off' }),
    selectField('admin-language', 'admin.staff.language', [['ru', 'Русский'], ['kk', 'Қазақша'], ['en', 'English']]));
}

export async function render(_route, app) {
  const { page } = await requireOperator(app, 'operator.register');
  if (page) return page;
  const specialties = await api.specialties();
  let created = null;
  const form = organizationForm(EMPTY_ORGANIZATION, specialties, {
    submitKey: 'operator.register_submit',
    onSubmit: (body, f, status) => busy(f, async () => {
      const value = (id) => f.querySelector(`#${id}`).value.trim();
      try {
        // A second try after a failed invitation does not register the organisation twice.
        created ??= await api.createOrganization(body);
        await api.inviteStaff(created.id, {
          full_name: value('admin-full-name'), iin: value('admin-iin'), email: value('admin-email'),
          role: 'org_admin', language: value('admin-language'),
        });
        showOk(status, f, 'operator.registered', { name: created.name, email: value('admin-email') });
        status.append(' ', h('a', { href: adminHash(created.id) }, t('operator.open_admin')));
        f.querySelector('#org-save').hidden = true;
      } catch (err) {
        showError(status, f, err);
        if (created) status.append(' ', t('operator.created_without_admin'));
      }
    }),
  });
  // The administrator's fields go before the button, inside the same form.
  form.insertBefore(firstAdmin(), form.querySelector('.actions'));
  return h('section', { class: 'operator', id: 'operator-new' },
    h('p', { class: 'back' }, h('a', { href: '#/operator' }, t('operator.back'))),
    pageTitle(t('operator.register')),
    h('p', { class: 'lead' }, t('operator.register_intro')),
    form);
}
