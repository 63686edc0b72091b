// One tile per other participant in the call: their video (with their sound), name, role and
// what they have switched off. A stream's id is its publisher's participant id, which is how
// tracks find their tile. Tiles are kept between updates so playing videos are not disturbed.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { roleText } from './screens.js';

/** Browsers may refuse to play sound that no click started; then play muted and offer sound. */
function play(tile) {
  const started = tile.video.play();
  if (!started) return;
  started.catch(() => {
    tile.video.muted = true;
    tile.video.play().catch(() => {});
    tile.unmute.hidden = false;
  });
}

function createTile(id) {
  const video = h('video', { autoplay: true, playsinline: true, class: 'tile-video' });
  const unmute = h('button', { type: 'button', class: 'tile-unmute', hidden: true }, t('call.sound_on'));
  const name = h('span', { class: 'tile-name' });
  const role = h('span', { class: 'tile-role' });
  const flags = h('span', { class: 'tile-flags' });
  const avatar = h('span', { class: 'tile-avatar', 'aria-hidden': 'true' });
  const el = h('div', { class: 'tile', dataset: { participantId: id } },
    video, avatar, unmute, h('div', { class: 'tile-bar' }, name, role, flags));
  const tile = { el, video, unmute, name, role, flags, avatar, stream: null, key: '' };
  unmute.addEventListener('click', () => {
    video.muted = false;
    video.play().catch(() => {});
    unmute.hidden = true;
  });
  return tile;
}

function flagList(p) {
  const list = [];
  if (!p.connected) list.push(['reconnecting', t('call.flag_reconnecting')]);
  if (!p.audio) list.push(['muted', t('call.flag_muted')]);
  if (!p.video && !p.screen) list.push(['camera-off', t('call.flag_camera_off')]);
  if (p.screen) list.push(['screen', t('call.flag_screen')]);
  return list;
}

function describe(tile, p) {
  const info = p || { name: t('call.someone'), role: '', connected: true, audio: true, video: true, screen: false };
  const key = JSON.stringify([info.name, info.role, info.connected, info.audio, info.video, info.screen]);
  if (key === tile.key) return;
  tile.key = key;
  tile.name.textContent = info.name;
  tile.role.textContent = info.role ? roleText(info.role) : '';
  tile.avatar.textContent = (info.name || '?').trim().charAt(0).toUpperCase();
  tile.flags.replaceChildren(...flagList(info).map(([kind, text]) => h('span', { class: `flag flag--${kind}` }, text)));
  Object.assign(tile.el.dataset, {
    role: info.role, connected: String(info.connected), audio: String(info.audio),
    video: String(info.video), screen: String(info.screen),
  });
}

export function tilesView(s) {
  const grid = h('div', { id: 'tiles', class: 'tiles' });
  const empty = h('p', { class: 'tiles-empty' }, t('call.alone'));
  const el = h('div', { class: 'tiles-wrap' }, grid, empty);
  const tiles = new Map();
  return {
    el,
    update() {
      const others = s.others();
      const ids = [...new Set([...others.map((p) => p.participant_id), ...s.remote.keys()])];
      for (const [id, tile] of tiles) {
        if (!ids.includes(id)) {
          tile.video.srcObject = null;
          tile.el.remove();
          tiles.delete(id);
        }
      }
      for (const id of ids) {
        let tile = tiles.get(id);
        if (!tile) {
          tile = createTile(id);
          tiles.set(id, tile);
          grid.append(tile.el);
        }
        describe(tile, others.find((p) => p.participant_id === id));
        const stream = s.remote.get(id) || null;
        if (tile.stream !== stream) {
          tile.stream = stream;
          tile.video.srcObject = stream;
          tile.el.dataset.media = String(Boolean(stream));
          if (stream) play(tile);
        }
      }
      grid.dataset.count = String(ids.length);
      empty.hidden = ids.length > 0;
    },
  };
}
