// ICD-10 search for the diagnosis code fields of the record editor: WHO ICD-10 2019 codes from
// /api/icd10, titled in the interface's language (МКБ-10 in Russian; Kazakh where the clinic
// imported it, else Russian), found by code or by words in that language or in English. Typing
// asks the server after a pause and offers the matches in one listbox, #icd10-suggestions
// (li[data-code]), shown under the code field in use: a combobox that works with the keyboard
// (arrows, Enter, Escape) and the mouse. Picking a match fills the code and, if it is still
// empty, the diagnosis text. A code typed by hand is kept as typed; the server rejects one that
// is not in the classification (unknown_icd10), and stores each code's title in the record in
// the author's language.

import { api } from '../api.js';
import { h } from '../dom.js';
import { language, t } from '../i18n.js';

const DELAY_MS = 250;
const MIN_CHARS = 2;
const LIST_ID = 'icd10-suggestions';

/** One listbox per editor; `attach(codeInput, textInput)` wires a diagnosis row to it. */
export function icd10Picker() {
  const list = h('ul', { id: LIST_ID, class: 'suggestions', role: 'listbox', hidden: true,
    'aria-label': t('record.icd10_suggestions') });
  let owner = null;
  let results = [];
  let active = -1;
  let seq = 0;
  let timer = null;

  function close() {
    seq += 1; // An answer still on its way is for a list nobody wants any more.
    clearTimeout(timer);
    list.hidden = true;
    list.replaceChildren();
    results = [];
    active = -1;
    if (owner) {
      owner.code.setAttribute('aria-expanded', 'false');
      owner.code.removeAttribute('aria-activedescendant');
    }
  }

  function highlight(i) {
    active = i;
    [...list.children].forEach((li, n) => li.setAttribute('aria-selected', String(n === i)));
    const li = list.children[i];
    if (!li) return;
    owner.code.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
  }

  function pick(entry) {
    const row = owner;
    row.code.value = entry.code;
    if (!row.text.value.trim()) row.text.value = entry.title;
    close();
    row.code.focus();
  }

  function show(row, found) {
    // The person may have moved on to another field while the answer travelled.
    if (owner !== row || document.activeElement !== row.code) return;
    if (!found.length) {
      close();
      return;
    }
    results = found;
    active = -1;
    list.replaceChildren(...found.map((r, i) => h('li', {
      id: `icd10-option-${i}`, role: 'option', 'aria-selected': 'false', class: 'suggestion',
      dataset: { code: r.code },
      // Keep the focus in the code field, so the click below still knows which row it is for.
      onmousedown: (e) => e.preventDefault(),
      onclick: () => pick(r),
    }, h('code', {}, r.code), ' ', r.title)));
    row.code.closest('.field').after(list);
    list.hidden = false;
    row.code.setAttribute('aria-expanded', 'true');
  }

  async function search(row) {
    const q = row.code.value.trim();
    const mine = ++seq;
    if (q.length < MIN_CHARS) {
      close();
      return;
    }
    try {
      const found = await api.icd10(q, 20, language());
      if (mine === seq) show(row, found);
    } catch {
      // Without suggestions the field still takes a code typed by hand.
      if (mine === seq) close();
    }
  }

  function attach(code, text) {
    const row = { code, text };
    code.setAttribute('role', 'combobox');
    code.setAttribute('aria-autocomplete', 'list');
    code.setAttribute('aria-expanded', 'false');
    code.setAttribute('aria-controls', LIST_ID);
    code.setAttribute('autocomplete', 'off');
    code.setAttribute('spellcheck', 'false');
    code.addEventListener('input', () => {
      if (owner !== row) close();
      owner = row;
      clearTimeout(timer);
      timer = setTimeout(() => search(row), DELAY_MS);
    });
    code.addEventListener('blur', () => {
      if (owner === row) close();
    });
    code.addEventListener('keydown', (e) => {
      const open = owner === row && !list.hidden && results.length;
      if (e.key === 'ArrowDown' && !open) {
        e.preventDefault();
        owner = row;
        search(row);
      } else if (!open) {
        return;
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = results.length;
        const down = e.key === 'ArrowDown';
        if (active < 0) highlight(down ? 0 : n - 1);
        else highlight((active + (down ? 1 : n - 1)) % n);
      } else if (e.key === 'Enter' && active >= 0) {
        e.preventDefault();
        pick(results[active]);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        close();
      }
    });
  }

  return { attach };
}
