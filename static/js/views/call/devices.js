// Choosing the camera and the microphone. Browsers name devices only after a permission was
// granted, so an unnamed one is called "Camera 1", "Microphone 2" and so on.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';

function deviceSelect(id, list, unnamedKey, onPick) {
  const select = h('select', { id, name: id },
    list.map((d, i) => h('option', { value: d.deviceId }, d.label || t(unnamedKey, { n: i + 1 }))));
  select.addEventListener('change', () => onPick(select.value));
  return select;
}

/** The two choices; the lists are drawn again only when the devices themselves change. */
export function deviceChoice(s) {
  const el = h('div', { class: 'call-devices' });
  let drawn = '';
  let selects = {};
  function update() {
    const m = s.media;
    if (!m) return;
    const key = [...m.cameras, ...m.microphones].map((d) => `${d.kind}:${d.deviceId}:${d.label}`).join('|');
    if (key !== drawn) {
      drawn = key;
      selects = {};
      const fields = [];
      for (const [kind, id, labelKey, list, unnamedKey] of [
        ['video', 'camera-select', 'call.camera', m.cameras, 'call.camera_n'],
        ['audio', 'microphone-select', 'call.microphone', m.microphones, 'call.microphone_n'],
      ]) {
        if (!list.length) continue;
        selects[kind] = deviceSelect(id, list, unnamedKey, (deviceId) => s.switchDevice(kind, deviceId));
        fields.push(h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), selects[kind]));
      }
      el.replaceChildren(...fields);
    }
    // Show the device actually in use (the browser's default at first), unless being chosen now.
    for (const [kind, select] of Object.entries(selects)) {
      if (document.activeElement !== select && m.deviceId(kind)) select.value = m.deviceId(kind);
    }
  }
  update();
  return { el, update };
}
