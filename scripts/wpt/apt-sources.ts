import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One repository as apt sees it: where, which suites and components, and its options. */
export interface AptRepo {
  uris: string[];
  suites: string[];
  components: string[];
  /** Other deb822 fields (Signed-By, Architectures, Trusted...), passed through unchanged. */
  options: Record<string, string>;
}

/**
 * The binary (`deb`) repositories the system is configured with, read the way apt reads them:
 * `sources.list`, then `sources.list.d/*.list` (one-line format) and `*.sources` (deb822).
 * Files with other suffixes (e.g. `.disabled`) are ignored, as apt ignores them.
 */
export function systemDebRepos(etcApt = '/etc/apt'): AptRepo[] {
  const repos: AptRepo[] = [];
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  repos.push(...parseOneLine(read(join(etcApt, 'sources.list'))));
  let parts: string[] = [];
  try {
    parts = readdirSync(join(etcApt, 'sources.list.d')).sort();
  } catch {
    // No sources.list.d: only sources.list counts.
  }
  for (const name of parts) {
    const text = read(join(etcApt, 'sources.list.d', name));
    if (name.endsWith('.list')) repos.push(...parseOneLine(text));
    else if (name.endsWith('.sources')) repos.push(...parseDeb822(text));
  }
  return repos;
}

/** `deb [opt=value ...] uri suite [component...]` lines; `deb-src` and comments are skipped. */
export function parseOneLine(text: string): AptRepo[] {
  const repos: AptRepo[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const options: Record<string, string> = {};
    for (const opt of (match[1] ?? '').split(/\s+/).filter(Boolean)) {
      const [key, value = ''] = opt.split('=');
      options[deb822Name(key ?? '')] = value.replaceAll(',', ' ');
    }
    repos.push({ uris: [match[2]!], suites: [match[3]!], components: (match[4] ?? '').split(/\s+/).filter(Boolean), options });
  }
  return repos;
}

/** deb822 stanzas with `Types: deb`; `Enabled: no` stanzas are skipped. */
export function parseDeb822(text: string): AptRepo[] {
  const repos: AptRepo[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields: Record<string, string> = {};
    let last = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      if (/^\s/.test(line) && last) fields[last] += '\n' + line; // continuation (e.g. an inline key)
      else {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        last = line.slice(0, colon).trim().toLowerCase();
        fields[last] = line.slice(colon + 1).trim();
      }
    }
    const words = (key: string): string[] => (fields[key] ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || fields['enabled']?.toLowerCase() === 'no') continue;
    const options: Record<string, string> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (!['types', 'uris', 'suites', 'components', 'enabled'].includes(key)) options[deb822Name(key)] = value;
    }
    repos.push({ uris: words('uris'), suites: words('suites'), components: words('components'), options });
  }
  return repos;
}

/** The same repositories as `deb-src` stanzas, for a private sources.list.d. */
export function toDebSrcStanzas(repos: readonly AptRepo[]): string {
  return repos
    .map((repo) => {
      const lines = ['Types: deb-src', `URIs: ${repo.uris.join(' ')}`, `Suites: ${repo.suites.join(' ')}`];
      if (repo.components.length > 0) lines.push(`Components: ${repo.components.join(' ')}`);
      for (const [key, value] of Object.entries(repo.options)) lines.push(`${key}: ${value}`);
      return lines.join('\n') + '\n';
    })
    .join('\n');
}

/** One-line option names whose deb822 field is spelled differently. */
const ONE_LINE_ALIASES: Record<string, string> = { arch: 'Architectures', lang: 'Languages', target: 'Targets' };

/** `signed-by` -> `Signed-By`: deb822 field names are case-insensitive, this keeps them readable. */
function deb822Name(key: string): string {
  const alias = ONE_LINE_ALIASES[key.toLowerCase()];
  if (alias) return alias;
  return key
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('-');
}
