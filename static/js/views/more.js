// "Show more" under a list the server pages by cursor: each click loads the next page and
// appends its items; the button goes once the last page is in. Lists never load everything at
// once, so a clinic with years of consultations opens the page as fast as a new one.

import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';

/**
 * @param {string} id the button's id
 * @param {string|null} next the cursor of the page after the first (null: nothing more)
 * @param {(cursor: string) => Promise<{items: object[], next: string|null}>} load
 * @param {(item: object) => void} append adds one item to the list on the page
 */
export function moreButton(id, next, load, append) {
  if (!next) return null;
  let cursor = next;
  const status = h('span', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'button button--secondary', id },
    t('common.show_more'));
  const wrap = h('p', { class: 'list-more' }, button, ' ', status);
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = t('common.loading');
    try {
      const page = await load(cursor);
      page.items.forEach(append);
      status.textContent = '';
      cursor = page.next;
      if (cursor) button.disabled = false;
      else wrap.remove();
    } catch (err) {
      status.textContent = errorText(err);
      button.disabled = false;
    }
  });
  return wrap;
}
