// Dates, numbers and sizes for a language whose data the browser's Intl lacks. Debian's
// Chromium, for one, accepts "kk-KZ" but formats it with the root locale: "2026 M12 16, Wed",
// "213 byte", "1,234.5". Then the pages use the data below, which is CLDR's for Kazakh (what a
// browser with the data prints), except the size units, which are written in Cyrillic as
// Kazakhstan writes them ("МБ", where CLDR has a Latin "MБ").

import { language, locale } from './i18n.js';

const KK = {
  months: ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек',
    'қазан', 'қараша', 'желтоқсан'],
  monthsShort: ['қаң.', 'ақп.', 'нау.', 'сәу.', 'мам.', 'мау.', 'шіл.', 'там.', 'қыр.', 'қаз.',
    'қар.', 'жел.'],
  // Monday first, as `weekday` below counts (1 = Monday).
  weekdays: ['дүйсенбі', 'сейсенбі', 'сәрсенбі', 'бейсенбі', 'жұма', 'сенбі', 'жексенбі'],
  weekdaysShort: ['дс', 'сс', 'ср', 'бс', 'жм', 'сб', 'жс'],
  decimal: ',',
  group: '\u00a0',
  bytes: ['байт', 'КБ', 'МБ', 'ГБ'],
  // The year comes first in Kazakh: "2026 ж. 16 желтоқсан".
  day: (p) => `${p.day} ${KK.months[p.month - 1]}, ${KK.weekdays[p.weekday - 1]}`,
  dateTime: (p) => `${p.year} ж. ${p.day} ${KK.monthsShort[p.month - 1]}, ${KK.weekdaysShort[p.weekday - 1]}, ${p.time}`,
  date: (p) => `${p.year} ж. ${p.day} ${KK.months[p.month - 1]}, ${KK.weekdaysShort[p.weekday - 1]}`,
  instant: (p) => `${p.year} ж. ${p.day} ${KK.months[p.month - 1]}, ${p.time}`,
  longDate: (p) => `${p.year} ж. ${p.day} ${KK.months[p.month - 1]}`,
  dayMonth: (p) => `${p.day} ${KK.monthsShort[p.month - 1]}`,
};

const DATA = { kk: KK };

const checked = new Map();

/**
 * The fallback data for the current language when Intl formats it like the root locale, else
 * null (Intl is used). Checked once per language: month names that come out as "M12" or a
 * number, or a number grouped like English in a language that is not English.
 */
export function fallback() {
  const lang = language();
  if (!DATA[lang]) return null;
  if (!checked.has(lang)) {
    const loc = locale();
    let lacking = true;
    try {
      const month = new Intl.DateTimeFormat(loc, { month: 'long', timeZone: 'UTC' })
        .format(new Date(Date.UTC(2026, 0, 15)));
      const number = new Intl.NumberFormat(loc).format(1234.5);
      lacking = /M\d|^\d+$/.test(month) || number === '1,234.5';
    } catch {
      // A locale Intl refuses outright lacks its data all the more.
    }
    checked.set(lang, lacking);
  }
  return checked.get(lang) ? DATA[lang] : null;
}
