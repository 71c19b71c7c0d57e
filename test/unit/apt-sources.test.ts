import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickVersion } from '../../scripts/wpt/apt-source.js';
import { parseDeb822, parseOneLine, toDebSrcStanzas } from '../../scripts/wpt/apt-sources.js';

describe('private apt sources for wpt:fetch', () => {
  it('derives deb-src stanzas from deb822 sources, keeping the keyring and skipping disabled ones', () => {
    const repos = parseDeb822(`Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://other.example/debian
Suites: bookworm
Enabled: no

Types: deb-src
URIs: http://src-only.example/debian
Suites: bookworm
`);
    assert.equal(repos.length, 1);
    assert.equal(
      toDebSrcStanzas(repos),
      'Types: deb-src\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n' +
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n',
    );
  });

  it('reads one-line sources with options', () => {
    const repos = parseOneLine(`# deb http://commented.example/ x main
deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main contrib
deb-src http://mirror.example/debian bookworm main`);
    assert.deepEqual(repos, [
      { uris: ['http://mirror.example/debian'], suites: ['bookworm'], components: ['main', 'contrib'], options: { Architectures: 'amd64', 'Signed-By': '/k.gpg' } },
    ]);
  });

  it('picks the newest 140 ESR among the versions apt offers', () => {
    const showsrc = ['115.15.0esr-1~deb12u1', '140.12.0esr-1~deb12u1', '140.9.1esr-1~deb12u1', '153.7.0esr-1~deb12u1']
      .map((v) => `Package: firefox-esr\nVersion: ${v}\n`)
      .join('\n');
    assert.equal(pickVersion(showsrc), '140.12.0esr-1~deb12u1');
    assert.throws(() => pickVersion('Package: firefox-esr\nVersion: 128.1.0esr-1\n'), /no firefox-esr 140\.x/);
  });
});
