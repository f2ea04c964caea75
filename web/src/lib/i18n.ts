import { useCallback } from 'react';
import { createStore, useStore } from './store.ts';

/**
 * Japanese and English. Each feature keeps its own messages beside its code
 * (`defineMessages(en, ja)`), so a missing translation is a type error. The
 * locale comes from the user's choice, else the browser's languages.
 */
export const LOCALES = ['en', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];
type Vars = Record<string, string | number>;

export interface Messages<K extends string> {
  en: Record<K, string>;
  ja: Record<K, string>;
}

export function defineMessages<K extends string>(en: Record<K, string>, ja: Record<K, string>): Messages<K> {
  return { en, ja };
}

const STORAGE_KEY = 'coo.locale';

export function detectLocale(
  stored: string | null = safeStorageGet(STORAGE_KEY),
  languages: readonly string[] = navigator.languages,
): Locale {
  if (stored === 'en' || stored === 'ja') return stored;
  for (const language of languages) {
    const primary = language.toLowerCase().split('-')[0];
    if (primary === 'ja') return 'ja';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

function safeStorageGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export const localeStore = createStore<Locale>(detectLocale());
document.documentElement.lang = localeStore.get();

export function setLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  document.documentElement.lang = locale;
  localeStore.set(locale);
}

export function useLocale(): Locale {
  return useStore(localeStore);
}

/** Fills `{name}` placeholders. */
export function format(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** `t('key', {vars})` in the current locale. */
export function useT<K extends string>(messages: Messages<K>): (key: K, vars?: Vars) => string {
  const locale = useLocale();
  return useCallback((key: K, vars?: Vars) => format(messages[locale][key], vars), [locale, messages]);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : undefined, options);
    formatters.set(key, cached);
  }
  return cached;
}

/** A time for a list or a message: the clock today, the date before. */
export function formatWhen(ms: number, locale: Locale, now = Date.now()): string {
  const date = new Date(ms);
  const today = new Date(now);
  const sameDay = date.toDateString() === today.toDateString();
  if (sameDay) return formatter(locale, { hour: '2-digit', minute: '2-digit' }).format(date);
  const sameYear = date.getFullYear() === today.getFullYear();
  return formatter(
    locale,
    sameYear ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' },
  ).format(date);
}

/** Date and time in full, for tooltips, read confirmations and the audit log. */
export function formatDateTime(ms: number, locale: Locale): string {
  return formatter(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}
