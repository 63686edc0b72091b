// The documents of a deferred request (Rules art. 13, 17): the list, a viewer that shows an
// image or a PDF in the page (DICOM and the rest are downloaded), a drop zone with a progress
// bar and the organisation's size limit for the side that sends them, and "documents
// complete", which starts the response deadline or restarts it after the consultant asked for
// more (not while a file is still on its way: the consultant would start without it).

import { ApiError, api } from '../api.js';
import { h } from '../dom.js';
import { busy, resetStatus, showError, statusLine } from '../forms.js';
import { errorText, formatBytes, t } from '../i18n.js';
import { timeEl } from '../time.js';

/** What the server accepts (it decides by the content; this only helps the file picker). */
const ACCEPT = '.pdf,.jpg,.jpeg,.png,.dcm,.txt,.ogg,.wav,.ivf,.webm,application/pdf,image/jpeg,'
  + 'image/png,application/dicom,text/plain,audio/*,video/*';
/** The server serves only these inline (framing and <img> by the platform's own pages). */
const IMAGES = ['image/jpeg', 'image/png'];
const PDF = 'application/pdf';

function typeKey(mime = '') {
  if (IMAGES.includes(mime)) return 'image';
  if (mime === PDF) return 'pdf';
  if (mime === 'application/dicom') return 'dicom';
  const top = mime.split('/')[0];
  return ['text', 'audio', 'video'].includes(top) ? top : 'other';
}

const typeText = (mime) => t(`documents.type.${typeKey(mime)}`);

/** The viewer: an image or a PDF in the page, anything else as a download with a reason. */
function showIn(viewer, c, m) {
  const inline = api.materialUrl(c.id, m.id, true);
  const download = h('a', { href: api.materialUrl(c.id, m.id), download: m.name, id: 'document-download' },
    t('documents.download', { name: m.name }));
  let body;
  let view = 'download';
  if (IMAGES.includes(m.mime)) {
    view = 'image';
    body = h('img', { src: inline, alt: m.name, id: 'document-image', class: 'document-image' });
  } else if (m.mime === PDF) {
    view = 'pdf';
    body = h('iframe', { src: inline, title: m.name, id: 'document-frame', class: 'document-frame' });
  } else {
    body = h('p', { class: 'hint' }, t(m.mime === 'application/dicom'
      ? 'documents.dicom_download' : 'documents.no_preview'));
  }
  viewer.dataset.materialId = m.id;
  viewer.dataset.view = view;
  viewer.hidden = false;
  viewer.replaceChildren(
    h('h3', { id: 'document-viewer-title', tabindex: '-1' }, m.name),
    body, h('p', {}, download));
  viewer.querySelector('#document-viewer-title').focus();
}

function documentItem(c, m, zone, open) {
  return h('li', { class: 'document', dataset: { materialId: m.id, kind: m.kind, mime: m.mime || '' } },
    h('p', {},
      h('button', { type: 'button', class: 'link-button document-open', onclick: () => open(m) }, m.name),
      ' ', h('span', { class: 'tag' }, typeText(m.mime))),
    h('p', { class: 'muted' }, formatBytes(m.size), ' · ', timeEl(m.created_at, zone),
      m.author ? ` · ${m.author.full_name}` : '', ' · ',
      h('a', { href: api.materialUrl(c.id, m.id), download: m.name, class: 'document-download' },
        t('documents.download_short'))),
    h('p', { class: 'hash muted' }, 'SHA-256: ', h('code', {}, m.sha256)));
}

/** The largest file the consultation's organisation accepts, or null if it cannot be told. */
async function fileLimit(c) {
  if (!c.organization_id) return null;
  try {
    return (await api.organization(c.organization_id)).max_file_bytes || null;
  } catch {
    return null;
  }
}

/** Why a file was refused, naming the limit when it was too large. */
function refusal(file, err, limit) {
  const error = err.code === 'file_too_large' && limit
    ? t('documents.too_large', { limit: formatBytes(limit) }) : errorText(err);
  return t('documents.upload_failed', { name: file.name, error });
}

/**
 * The drop zone and file input; each chosen or dropped file is sent in turn. `uploading(on)`
 * is told when sending starts and when it ends.
 */
function uploader(c, added, uploading) {
  const input = h('input', { type: 'file', id: 'document-file', name: 'document-file', multiple: true,
    accept: ACCEPT, class: 'drop-input', 'aria-describedby': 'document-drop-hint' });
  const progress = h('progress', { id: 'document-progress', max: '1', value: '0', hidden: true,
    'aria-labelledby': 'document-progress-label' });
  const label = h('p', { id: 'document-progress-label', class: 'hint', hidden: true, 'aria-live': 'polite' });
  const status = statusLine('document-upload-status');
  const zone = h('div', { id: 'document-drop', class: 'drop-zone' },
    h('p', { class: 'drop-title' }, t('documents.drop')),
    h('label', { for: 'document-file', class: 'button button--secondary' }, t('documents.choose')),
    input,
    h('p', { class: 'hint', id: 'document-drop-hint' }, t('documents.allowed')),
    h('p', { class: 'hint', id: 'document-limit', hidden: true }));
  const form = h('div', { class: 'form', id: 'document-upload' }, zone, label, progress, status);

  let limit = null;
  const limitNote = zone.querySelector('#document-limit');
  const known = fileLimit(c).then((bytes) => {
    limit = bytes;
    if (!bytes) return;
    limitNote.textContent = t('documents.limit', { limit: formatBytes(bytes) });
    limitNote.dataset.bytes = String(bytes);
    limitNote.hidden = false;
    input.setAttribute('aria-describedby', 'document-drop-hint document-limit');
  });

  let sending = false;
  async function send(files) {
    if (sending || !files.length) return;
    sending = true;
    uploading(true);
    zone.dataset.busy = 'true';
    resetStatus(status, form);
    progress.hidden = false;
    label.hidden = false;
    await known;
    let sent = 0;
    for (const [i, file] of files.entries()) {
      label.textContent = t('documents.uploading', { name: file.name, n: i + 1, total: files.length });
      progress.value = 0;
      try {
        // Refused here rather than after the whole file went up; the server holds the same limit.
        if (limit && file.size > limit) throw new ApiError(413, 'file_too_large');
        added(await api.uploadFile(c.id, file, (share) => { progress.value = share; }));
        sent += 1;
      } catch (err) {
        showError(status, form, err, { focus: false });
        status.textContent = refusal(file, err, limit);
      }
    }
    progress.hidden = true;
    label.hidden = true;
    sending = false;
    uploading(false);
    delete zone.dataset.busy;
    input.value = '';
    if (sent && !status.dataset.errorCode) {
      status.textContent = t('documents.uploaded', { n: sent });
      status.className = 'status status--ok';
      status.dataset.status = 'ok';
    }
  }

  input.addEventListener('change', () => send([...input.files]));
  // A counter, because dragleave also fires when the pointer moves onto a child of the zone.
  let depth = 0;
  const dragging = (on) => {
    if (on) zone.dataset.drag = 'true';
    else delete zone.dataset.drag;
  };
  zone.addEventListener('dragenter', (e) => {
    e.preventDefault();
    depth += 1;
    dragging(true);
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) dragging(false);
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    dragging(false);
    send([...(e.dataTransfer.files || [])]);
  });
  return form;
}

/**
 * "Documents complete": art. 13's clock starts, or runs on after a request for more. Returns
 * the form and `uploading(on)`, which holds the button while files are being sent.
 */
function completeForm(c, redraw) {
  const paused = Boolean(c.deferred && c.deferred.paused);
  const status = statusLine('documents-status');
  const wait = h('p', { class: 'hint', id: 'documents-wait', hidden: true }, t('documents.wait_for_uploads'));
  const button = h('button', { type: 'submit', class: 'button', id: 'documents-complete' },
    t('change.documents_submit'));
  const form = h('form', { id: 'documents-form', class: 'form', novalidate: true },
    h('p', { class: 'hint' }, t(paused ? 'documents.complete_again_note' : 'change.documents_note')),
    button, wait, status);
  let sending = false;
  function uploading(on) {
    sending = on;
    button.disabled = on;
    wait.hidden = !on;
    if (on) button.setAttribute('aria-describedby', 'documents-wait');
    else button.removeAttribute('aria-describedby');
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (sending) return;
    await busy(form, async () => {
      try {
        redraw(await api.documentsComplete(c.id), 'change.documents_done');
      } catch (err) {
        showError(status, form, err);
      }
    });
    // busy() enabled the button again; an upload begun meanwhile still holds it.
    if (sending) button.disabled = true;
  });
  return { form, uploading };
}

/**
 * The panel. `canUpload`: the sending side while the request is open; `canComplete`: the same
 * side while the clock has not started or stands.
 */
export function documentsPanel(c, zone, { canUpload, canComplete, redraw }) {
  const list = h('ul', { id: 'documents-list', class: 'documents' });
  const empty = h('p', { id: 'documents-empty', class: 'muted' }, t('common.loading'));
  const viewer = h('div', { id: 'document-viewer', class: 'document-viewer', hidden: true,
    role: 'region', 'aria-labelledby': 'document-viewer-title' });
  const open = (m) => {
    for (const li of list.children) li.setAttribute('aria-current', String(li.dataset.materialId === m.id));
    showIn(viewer, c, m);
  };
  const complete = canComplete ? completeForm(c, redraw) : null;
  const section = h('section', { class: 'panel', id: 'documents', 'aria-labelledby': 'documents-heading' },
    h('h2', { id: 'documents-heading' }, t('documents.title')),
    list, empty, viewer,
    canUpload ? uploader(c, (m) => {
      list.append(documentItem(c, m, zone, open));
      empty.hidden = true;
      section.dataset.count = String(list.children.length);
    }, (on) => {
      if (complete) complete.uploading(on);
    }) : null,
    complete ? complete.form : null);
  api.materials(c.id).then((items) => {
    list.replaceChildren(...items.map((m) => documentItem(c, m, zone, open)));
    section.dataset.count = String(items.length);
    empty.hidden = items.length > 0;
    empty.textContent = t('documents.none');
  }, (err) => {
    empty.textContent = err.status === 403 ? t('documents.hidden') : errorText(err);
  });
  return section;
}
