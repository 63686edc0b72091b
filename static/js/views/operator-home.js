// #/operator — the platform operator's page: the installation's health (liveness, readiness,
// accounts, the mail outbox, the audit log's head) and every organisation with its
// administrators. Registering an organisation is its own page.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { formatInstant, formatNumber, has, t } from '../i18n.js';
import { adminHash, requireOperator } from './admin-common.js';
import { item, scrollTable } from './common.js';
import { userTimeZone } from '../time.js';

function badge(ok, okKey, badKey) {
  return h('span', { class: `badge badge--${ok ? 'verified' : 'alert'}` }, t(ok ? okKey : badKey));
}

function health(live, ready, counts) {
  const zone = userTimeZone();
  const roles = Object.entries(counts.users_by_role).map(([role, n]) =>
    h('li', { dataset: { role } }, `${has(`role.${role}`) ? t(`role.${role}`) : role}: ${formatNumber(n)}`));
  const outboxOk = counts.outbox.failing === 0;
  return h('dl', { class: 'facts', id: 'platform-health' },
    item('live', t('operator.health.live'), badge(live.status === 200, 'operator.ok', 'operator.down')),
    item('ready', t('operator.health.ready'), [badge(ready.status === 200, 'operator.ok', 'operator.not_ready'),
      ready.body && ready.body.database ? ` ${ready.body.database}` : '',
      ready.status !== 200 && ready.body && ready.body.message ? ` — ${ready.body.message}` : '']),
    item('version', t('operator.health.version'), counts.version),
    item('organizations', t('operator.health.organizations'), formatNumber(counts.organizations)),
    item('users', t('operator.health.users'), [formatNumber(counts.users),
      h('ul', { class: 'inline-list' }, roles),
      counts.deactivated_users ? h('p', { class: 'muted' }, t('operator.health.deactivated', { n: formatNumber(counts.deactivated_users) })) : null]),
    item('outbox', t('operator.health.outbox'), [
      badge(outboxOk, 'operator.ok', 'operator.failing'), ' ',
      t('operator.health.outbox_counts', {
        pending: formatNumber(counts.outbox.pending), failing: formatNumber(counts.outbox.failing),
        sent: formatNumber(counts.outbox.sent),
      }),
      counts.outbox.oldest_pending_due_at ? h('p', { class: 'muted' }, t('operator.health.oldest',
        { at: formatInstant(counts.outbox.oldest_pending_due_at, zone) })) : null]),
    item('audit', t('operator.health.audit'), counts.audit ? [
      t('operator.health.audit_seq', { n: formatNumber(counts.audit.last_seq) }),
      counts.audit.last_at ? ` · ${formatInstant(counts.audit.last_at, zone)}` : '',
      h('br'), h('code', { class: 'hash' }, counts.audit.last_hash)] : t('common.not_specified')));
}

function organizations(list) {
  if (!list.length) return h('p', { class: 'empty' }, t('common.none_found'));
  const cell = (key, ...content) => h('td', { dataset: { label: t(key) } }, h('div', {}, ...content));
  return scrollTable('platform-orgs-caption', h('table', { class: 'table table--stack', id: 'platform-orgs' },
    h('caption', { id: 'platform-orgs-caption', class: 'visually-hidden' }, t('operator.orgs')),
    h('thead', {}, h('tr', {}, ['org.name', 'operator.admins', 'operator.accounts', 'operator.manage']
      .map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, list.map((o) => h('tr', { dataset: { orgId: o.id } },
      cell('org.name', h('a', { href: `#/organizations/${encodeURIComponent(o.id)}` }, o.name),
        h('br'), h('span', { class: 'muted' }, o.address)),
      cell('operator.admins', o.administrators.length
        ? h('ul', { class: 'plain-list' }, o.administrators.map((a) => h('li', { dataset: { email: a.email } },
          a.full_name, ' ', h('a', { href: `mailto:${a.email}` }, a.email),
          a.invitation_pending ? h('span', { class: 'tag' }, t('admin.staff.state.invited')) : null,
          a.deactivated ? h('span', { class: 'tag' }, t('admin.staff.state.deactivated')) : null)))
        : h('span', { class: 'overdue' }, t('operator.no_admin'))),
      cell('operator.accounts', t('operator.accounts_counts', {
        staff: formatNumber(o.staff), doctors: formatNumber(o.practitioners) })),
      cell('operator.manage', h('div', { class: 'actions' },
        h('a', { class: 'button button--secondary', href: adminHash(o.id, '/staff') }, t('operator.invite_admin')),
        h('a', { class: 'button button--secondary', href: adminHash(o.id, '/details') }, t('operator.edit')))))))));
}

export async function render(_route, app) {
  const { page } = await requireOperator(app, 'operator.title');
  if (page) return page;
  const [live, ready, counts, orgs] = await Promise.all([
    api.probe('/health'), api.probe('/ready'), api.platformHealth(), api.platformOrganizations()]);
  return h('section', { class: 'operator', id: 'operator' },
    pageTitle(t('operator.title')),
    h('p', { class: 'lead' }, t('operator.intro')),
    h('section', { class: 'panel', 'aria-labelledby': 'operator-orgs-heading' },
      h('h2', { id: 'operator-orgs-heading' }, t('operator.orgs')),
      h('p', {}, h('a', { class: 'button', href: '#/operator/organizations/new', id: 'operator-new-org' },
        t('operator.register'))),
      organizations(orgs)),
    h('section', { class: 'panel', 'aria-labelledby': 'operator-health-heading' },
      h('h2', { id: 'operator-health-heading' }, t('operator.health')),
      h('p', { class: 'hint' }, t('operator.health_checked', { at: formatInstant(counts.checked_at, userTimeZone()) })),
      health(live, ready, counts)));
}
