// #/me — the signed-in user's own data.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { has, t } from '../i18n.js';
import { accountSettings, verificationNotice } from './account-settings.js';
import { item } from './common.js';

export async function render(_route, app) {
  let me;
  try {
    me = await api.me();
  } catch (err) {
    if (err.status !== 401) throw err;
    app.setUser(null);
    return h('section', { class: 'narrow' },
      pageTitle(t('me.title')),
      h('p', { role: 'status' }, t('me.need_login')),
      h('p', {}, h('a', { href: '#/login', class: 'button' }, t('nav.login'))));
  }
  const patients = me.represented_patients.length
    ? h('ul', { id: 'represented-patients' },
      me.represented_patients.map((p) => h('li', {}, p.full_name)))
    : null;

  return h('section', { class: 'narrow', id: 'me' },
    pageTitle(t('me.title')),
    verificationNotice(me),
    h('dl', { class: 'facts panel' },
      item('full_name', t('me.full_name'), me.full_name),
      item('email', t('me.email'), me.email),
      item('iin', t('me.iin'), me.iin),
      item('role', t('me.role'), has(`role.${me.role}`) ? t(`role.${me.role}`) : me.role)),
    patients && h('section', { class: 'panel', 'aria-labelledby': 'represented-heading' },
      h('h2', { id: 'represented-heading' }, t('me.represented')), patients),
    ...(await accountSettings(me, app)));
}
