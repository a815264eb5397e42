import { parseIdentity } from '@dimkit/protocol/account';
import { documentName } from '@dimkit/protocol/mkm';
import type { JsonObject } from '@dimkit/protocol/encoding';
import type { IdentityVault, UnlockedIdentity, VaultSummary } from '@dimkit/client/browser';
import { useEffect, useState } from 'preact/hooks';
import { generateIdentity } from './keygen.js';
import { APP_ID, errorCode, fallbackName } from './session.js';

type Tab = 'unlock' | 'create' | 'import';

export interface WelcomeProps {
  readonly vault: IdentityVault;
  readonly accounts: readonly VaultSummary[];
  readonly onUnlocked: (unlocked: UnlockedIdentity) => void;
}

const MIN_PASSPHRASE = 8;

function passphraseProblem(passphrase: string, repeat: string): string | undefined {
  if (passphrase.length < MIN_PASSPHRASE) return `Use at least ${MIN_PASSPHRASE} characters.`;
  if (passphrase !== repeat) return 'The two passphrases differ.';
  return undefined;
}

export function Welcome(props: WelcomeProps) {
  const [tab, setTab] = useState<Tab>(props.accounts.length > 0 ? 'unlock' : 'create');
  const tabs: [Tab, string][] = [
    ...(props.accounts.length > 0 ? ([['unlock', 'Unlock']] as [Tab, string][]) : []),
    ['create', 'New identity'],
    ['import', 'Import'],
  ];
  return (
    <main class="welcome">
      <section class="welcome-intro">
        <h1>
          <span class="logo" aria-hidden="true">
            ◆
          </span>{' '}
          dimkit
        </h1>
        <p class="lead">End-to-end encrypted chat on DIMP, the Decentralized Instant Messaging Protocol.</p>
        <ul class="points">
          <li>Your identity is a key pair made in this browser; your ID is derived from it.</li>
          <li>Private keys never leave the browser: they are kept in IndexedDB, sealed under your passphrase.</li>
          <li>The station relays and stores messages it cannot read.</li>
        </ul>
      </section>
      <section class="welcome-card" aria-label="Sign in">
        <div class="tabs" role="tablist" aria-label="How to sign in">
          {tabs.map(([id, text]) => (
            <button
              key={id}
              type="button"
              role="tab"
              id={`tab-${id}`}
              aria-selected={tab === id}
              aria-controls={`panel-${id}`}
              tabIndex={tab === id ? 0 : -1}
              class={tab === id ? 'tab active' : 'tab'}
              onClick={() => setTab(id)}
              onKeyDown={(e) => {
                if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
                const i = tabs.findIndex(([t]) => t === tab);
                const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]![0];
                setTab(next);
                document.getElementById(`tab-${next}`)?.focus();
              }}
            >
              {text}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="tab-panel">
          {tab === 'unlock' && <UnlockForm {...props} />}
          {tab === 'create' && <CreateForm {...props} />}
          {tab === 'import' && <ImportForm {...props} />}
        </div>
      </section>
    </main>
  );
}

function UnlockForm(props: WelcomeProps) {
  const [id, setId] = useState(props.accounts[0]?.id ?? '');
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onUnlocked(await props.vault.unlock(id, passphrase));
    } catch (err) {
      setError(errorCode(err) === 'crypto.decrypt' ? 'Wrong passphrase.' : String((err as Error).message ?? err));
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} class="stack">
      <label>
        Identity
        <select value={id} onChange={(e) => setId(e.currentTarget.value)} disabled={busy}>
          {props.accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name ?? fallbackName(a.id)} — {a.id}
            </option>
          ))}
        </select>
      </label>
      <label>
        Passphrase
        <input
          type="password"
          autoComplete="current-password"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
          required
          autoFocus
          disabled={busy}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy || passphrase === ''}>
        {busy ? 'Unlocking…' : 'Unlock'}
      </button>
    </form>
  );
}

function CreateForm(props: WelcomeProps) {
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [phase, setPhase] = useState<'form' | 'keys' | 'seal'>('form');
  const [started, setStarted] = useState(0);
  const [now, setNow] = useState(0);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (phase === 'form') return;
    const timer = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(timer);
  }, [phase]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const problem = passphraseProblem(passphrase, repeat);
    if (problem !== undefined) {
      setError(problem);
      return;
    }
    setError(undefined);
    setStarted(performance.now());
    setNow(performance.now());
    setPhase('keys');
    try {
      const { identity } = await generateIdentity({ name: name.trim(), appId: APP_ID });
      setPhase('seal');
      props.onUnlocked(await props.vault.add(identity, passphrase, name.trim()));
    } catch (err) {
      setError(String((err as Error).message ?? err));
      setPhase('form');
    }
  };

  if (phase !== 'form') {
    const seconds = ((now - started) / 1000).toFixed(1);
    return (
      <div class="stack progress-panel" role="status" aria-live="polite">
        <p class="progress-title">
          {phase === 'keys' ? 'Generating your keys…' : 'Sealing them with your passphrase…'}
        </p>
        <ol class="steps">
          <li class="done">ECC (secp256k1) identity key: your ID</li>
          <li class={phase === 'keys' ? 'active' : 'done'}>RSA-1024 visa key: others encrypt to it</li>
          <li class={phase === 'seal' ? 'active' : ''}>PBKDF2 + AES-GCM seal in this browser</li>
        </ol>
        <div class="bar" aria-hidden="true">
          <div class="bar-fill indeterminate" />
        </div>
        <p class="muted">{seconds} s — pure-JavaScript RSA takes a few seconds; the page stays usable.</p>
      </div>
    );
  }

  return (
    <form onSubmit={submit} class="stack">
      <label>
        Display name
        <input
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          required
          maxLength={64}
          autoFocus
          placeholder="e.g. Alice"
        />
      </label>
      <label>
        Passphrase
        <input
          type="password"
          autoComplete="new-password"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
          required
          minLength={MIN_PASSPHRASE}
          aria-describedby="pass-hint"
        />
      </label>
      <label>
        Repeat passphrase
        <input
          type="password"
          autoComplete="new-password"
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
          required
        />
      </label>
      <p id="pass-hint" class="muted small">
        The passphrase seals your keys in this browser. It cannot be recovered: export your identity file to keep a
        backup.
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={name.trim() === ''}>
        Create identity
      </button>
    </form>
  );
}

function ImportForm(props: WelcomeProps) {
  const [file, setFile] = useState<JsonObject>();
  const [summary, setSummary] = useState<string>();
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const pick = async (input: HTMLInputElement) => {
    setError(undefined);
    setFile(undefined);
    const chosen = input.files?.[0];
    if (chosen === undefined) return;
    try {
      if (chosen.size > 256 * 1024) throw new Error('That file is too large to be an identity file.');
      const json = JSON.parse(await chosen.text()) as unknown;
      // Checks everything: meta ↔ ID, private key ↔ meta key, visa signature, visa key pair.
      const identity = parseIdentity(json);
      setFile(json as JsonObject);
      setSummary(
        `${(identity.visa && documentName(identity.visa)) ?? fallbackName(identity.id.text)} — ${identity.id.text}`,
      );
    } catch (err) {
      setError(`Not a valid identity file: ${String((err as Error).message ?? err)}`);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (file === undefined) return;
    const problem = passphraseProblem(passphrase, repeat);
    if (problem !== undefined) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const identity = parseIdentity(file);
      const name = identity.visa === undefined ? undefined : documentName(identity.visa);
      props.onUnlocked(await props.vault.add(file, passphrase, name));
    } catch (err) {
      setError(String((err as Error).message ?? err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} class="stack">
      <label>
        Identity file (from <code>dim id export</code> or this app)
        <input type="file" accept=".json,application/json" onChange={(e) => void pick(e.currentTarget)} />
      </label>
      {summary && file && <p class="ok-line">✓ {summary}</p>}
      <label>
        New passphrase for this browser
        <input
          type="password"
          autoComplete="new-password"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
          required
          minLength={MIN_PASSPHRASE}
        />
      </label>
      <label>
        Repeat passphrase
        <input
          type="password"
          autoComplete="new-password"
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
          required
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy || file === undefined}>
        {busy ? 'Importing…' : 'Import identity'}
      </button>
    </form>
  );
}
