// Numbers and file sizes in the interface language, with the fallback of locale-data.js where
// the browser lacks the language's data.

import { locale } from './i18n.js';
import { fallback } from './locale-data.js';

/** 1234.5 → "1 234,5" (ru, kk) or "1,234.5" (en); at most `maxFraction` decimals. */
export function formatNumber(n, maxFraction = 3) {
  const data = fallback();
  if (!data) return new Intl.NumberFormat(locale(), { maximumFractionDigits: maxFraction }).format(n);
  const [whole, fraction] = new Intl.NumberFormat('en', {
    maximumFractionDigits: maxFraction, useGrouping: false,
  }).format(n).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, data.group);
  return fraction ? `${grouped}${data.decimal}${fraction}` : grouped;
}

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];

/**
 * 1536 → "1,5 КБ": a file size in the largest binary unit that keeps the number at or above 1,
 * one decimal at most. Whole bytes are written out ("213 bytes", "213 байт").
 */
export function formatBytes(bytes) {
  let value = Math.max(0, Number(bytes) || 0);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit ? 1 : 0;
  const data = fallback();
  if (data) return `${formatNumber(value, digits)} ${data.bytes[unit]}`;
  try {
    return new Intl.NumberFormat(locale(), {
      style: 'unit', unit: UNITS[unit], unitDisplay: unit ? 'short' : 'long', maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${formatNumber(value, digits)} ${['B', 'KB', 'MB', 'GB'][unit]}`;
  }
}
