import { IdentityVault, stationUrlForPage, type UnlockedIdentity, type VaultSummary } from '@dimkit/client/browser';
import { useEffect, useState } from 'preact/hooks';
import { ChatScreen } from './chat.js';
import { ChatSession } from './session.js';
import { Welcome } from './welcome.js';

type Screen =
  | { readonly name: 'loading' }
  | { readonly name: 'failed'; readonly error: string }
  | { readonly name: 'welcome'; readonly accounts: readonly VaultSummary[] }
  | { readonly name: 'starting' }
  | { readonly name: 'chat'; readonly session: ChatSession };

/**
 * The station to talk to: the one that served the page, unless `?station=ws://host:port/` says
 * otherwise (development with the Vite server, or a page served from elsewhere).
 */
export function stationUrl(): string {
  const param = new URLSearchParams(location.search).get('station');
  return param !== null && /^wss?:\/\//.test(param) ? param : stationUrlForPage(location);
}

export function App() {
  const [vault, setVault] = useState<IdentityVault>();
  const [screen, setScreen] = useState<Screen>({ name: 'loading' });

  useEffect(() => {
    IdentityVault.open().then(
      async (v) => {
        setVault(v);
        setScreen({ name: 'welcome', accounts: await v.list() });
      },
      (error: unknown) => setScreen({ name: 'failed', error: String((error as Error).message ?? error) }),
    );
  }, []);

  const unlocked = async (u: UnlockedIdentity) => {
    setScreen({ name: 'starting' });
    try {
      const session = await ChatSession.open(u, stationUrl());
      setScreen({ name: 'chat', session });
    } catch (error) {
      setScreen({ name: 'failed', error: String((error as Error).message ?? error) });
    }
  };

  const lock = async () => {
    if (screen.name === 'chat') await screen.session.close();
    history.replaceState(null, '', location.pathname + location.search);
    setScreen({ name: 'welcome', accounts: vault === undefined ? [] : await vault.list() });
  };

  switch (screen.name) {
    case 'loading':
    case 'starting':
      return (
        <div class="center muted" role="status">
          {screen.name === 'loading' ? 'Loading…' : 'Opening your messages…'}
        </div>
      );
    case 'failed':
      return (
        <div class="center">
          <div class="stack narrow">
            <p class="error" role="alert">
              {screen.error}
            </p>
            <p class="muted small">IndexedDB and WebCrypto are needed (a private window may lack them).</p>
            <button type="button" onClick={() => location.reload()}>
              Reload
            </button>
          </div>
        </div>
      );
    case 'welcome':
      return <Welcome vault={vault!} accounts={screen.accounts} onUnlocked={(u) => void unlocked(u)} />;
    case 'chat':
      return <ChatScreen session={screen.session} onLock={() => void lock()} />;
  }
}
