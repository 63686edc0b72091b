// The consultation's own doctor writes the record during the call (art. 36–37): a button opens
// a side panel with the same record editor as the consultation's page, so the doctor never has
// to leave the page (which would leave the call). The editor lives on the session, not in the
// page's parts: it survives the phases (waiting → call → ended) and a redraw, with what was typed.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { recordSection } from '../record-editor.js';

/** Whether this viewer writes the consultation's records: its own doctor. */
export const writesRecord = (s) => s.me.role === 'doctor' && s.c.my_call_role === 'doctor';

/** `{ toggle, panel }` for the frame of the call page, or null for everyone else. */
export function recordPanel(s, root) {
  if (!writesRecord(s)) return null;
  if (!s.recordEditor) s.recordEditor = recordSection(s.c, s.me);
  const panel = h('aside', { id: 'call-record', class: 'call-record', 'aria-label': t('call.record_panel') },
    s.recordEditor);
  const toggle = h('button', { type: 'button', id: 'call-record-toggle', class: 'button button--secondary',
    'aria-controls': 'call-record' });
  const show = () => {
    const open = Boolean(s.recordOpen);
    panel.hidden = !open;
    root.dataset.record = open ? 'open' : 'closed';
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = t(open ? 'call.record_hide' : 'call.record_show');
  };
  toggle.addEventListener('click', () => {
    s.recordOpen = !s.recordOpen;
    show();
    if (s.recordOpen) {
      // On a phone the panel is under the call: bring it into view, at its first field.
      panel.scrollIntoView({ block: 'start' });
      const first = panel.querySelector('select, textarea, input');
      if (first) first.focus({ preventScroll: true });
    }
  });
  show();
  return { toggle, panel };
}
