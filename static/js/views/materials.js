// A consultation's materials for everyone who may see it: call recordings, the chat transcript
// and files shared in the call, each with its checksum and a download link.

import { api } from '../api.js';
import { h } from '../dom.js';
import { errorText, formatBytes, has, t } from '../i18n.js';
import { formatDuration, timeEl } from '../time.js';

function materialItem(c, m, zone) {
  const kind = has(`materials.kind.${m.kind}`) ? t(`materials.kind.${m.kind}`) : m.kind;
  const details = m.details || {};
  return h('li', { class: 'material', dataset: { materialId: m.id, kind: m.kind } },
    h('p', {},
      h('a', { href: api.materialUrl(c.id, m.id), download: m.name, class: 'material-download' }, m.name),
      ' ', h('span', { class: 'tag' }, kind)),
    h('p', { class: 'muted' },
      formatBytes(m.size),
      typeof details.duration_seconds === 'number' ? ` · ${formatDuration(details.duration_seconds)}` : '',
      ' · ', timeEl(m.created_at, zone),
      m.author ? ` · ${m.author.full_name}` : ''),
    h('p', { class: 'hash muted' }, 'SHA-256: ', h('code', {}, m.sha256)));
}

/** Filled in when the list arrives; removed if the viewer may not see materials (403). */
export function materialsSection(c, zone) {
  const body = h('div', {}, h('p', { class: 'loading' }, t('common.loading')));
  const section = h('section', { class: 'panel', id: 'materials', 'aria-labelledby': 'materials-heading' },
    h('h2', { id: 'materials-heading' }, t('materials.title')), body);
  api.materials(c.id).then((list) => {
    section.dataset.count = String(list.length);
    body.replaceChildren(list.length
      ? h('ul', { class: 'materials' }, list.map((m) => materialItem(c, m, zone)))
      : h('p', { class: 'muted' }, t('materials.none')));
  }, (err) => {
    if (err.status === 403) section.remove();
    else body.replaceChildren(h('p', { class: 'status status--error', role: 'alert' }, errorText(err)));
  });
  return section;
}
