/** `streams/**\/*.any.js` -> RegExp over POSIX paths: `**` spans folders, `*` and `?` do not. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The folder a glob's matches all live under (its part before the first wildcard). */
export function globBase(glob: string): string {
  const wild = glob.search(/[*?]/);
  const head = wild < 0 ? glob : glob.slice(0, wild);
  return head.slice(0, head.lastIndexOf('/') + 1).replace(/\/$/, '');
}
