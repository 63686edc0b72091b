// #/organizations/{id}/admin/details — the administrator keeps the organisation's disclosure data
// (art. 34), its licence and profiles, its internal rules (art. 8) and its texts in ru, kk, en.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, showError, showOk } from '../forms.js';
import { t } from '../i18n.js';
import { adminFrame, requireManager } from './admin-common.js';
import { organizationForm } from './admin-org-form.js';

export async function render({ params }, app) {
  const orgId = params[0];
  const { me, page } = await requireManager(app, orgId, 'admin.details.title');
  if (page) return page;
  const [org, specialties] = await Promise.all([api.organizationForEdit(orgId), api.specialties()]);
  const form = organizationForm(org, specialties, {
    submitKey: 'admin.save',
    onSubmit: (body, f, status) => busy(f, async () => {
      try {
        await api.updateOrganization(orgId, body);
        showOk(status, f, 'admin.details.saved');
      } catch (err) {
        showError(status, f, err);
      }
    }),
  });
  return adminFrame(org, me, '/details', t('admin.details.title'),
    h('p', { class: 'lead' }, t('admin.details.intro')), form);
}
