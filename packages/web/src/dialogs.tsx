import { useState } from 'preact/hooks';
import { CopyButton, Avatar, Modal } from './ui.js';
import { errorCode, type ChatSession, type Peer } from './session.js';

export function AddContactDialog(props: { session: ChatSession; onClose: () => void; onAdded: (id: string) => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const peer = await props.session.addContact(text);
      props.onAdded(peer.id);
    } catch (err) {
      const code = errorCode(err);
      setError(
        code === 'id.syntax' || code?.startsWith('address.')
          ? 'That is not a valid DIM ID.'
          : code === 'meta.missing'
            ? 'The station does not know this ID yet (it has never been online). It was added; messages wait until it appears.'
            : code === 'client.timeout'
              ? 'The station did not answer in time. The contact was added; try again when online.'
              : String((err as Error).message ?? err),
      );
      setBusy(false);
    }
  };
  return (
    <Modal title="Add a contact" onClose={props.onClose}>
      <form onSubmit={submit} class="stack">
        <label>
          Their DIM ID
          <input
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            required
            autoFocus
            spellcheck={false}
            autoComplete="off"
            placeholder="name@address or address"
            class="mono"
          />
        </label>
        <p class="muted small">The station is asked for their public keys (meta and visa).</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row-end">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy || text.trim() === ''}>
            {busy ? 'Looking up…' : 'Add contact'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Reads an image file and returns a small square JPEG data URL (the visa holds it; no upload needed). */
async function avatarFromFile(file: File, size = 96): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('no canvas');
  const side = Math.min(bitmap.width, bitmap.height);
  ctx.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, size, size);
  bitmap.close();
  return canvas.toDataURL('image/jpeg', 0.82);
}

export function ProfileDialog(props: { session: ChatSession; onClose: () => void }) {
  const { session } = props;
  const [name, setName] = useState(session.myName);
  const [avatar, setAvatar] = useState(session.myAvatar ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await session.updateProfile(name.trim(), avatar.trim() === '' ? undefined : avatar.trim());
      props.onClose();
    } catch (err) {
      setError(String((err as Error).message ?? err));
      setBusy(false);
    }
  };
  return (
    <Modal title="Your profile" onClose={props.onClose}>
      <form onSubmit={submit} class="stack">
        <div class="profile-preview">
          <Avatar id={session.me} name={name || '?'} src={avatar || undefined} size={72} />
          <div>
            <div class="strong">{name || '—'}</div>
            <div class="mono small muted break">{session.me}</div>
          </div>
        </div>
        <label>
          Display name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={64} />
        </label>
        <label>
          Avatar picture
          <input
            type="file"
            accept="image/*"
            onChange={async (e) => {
              const file = e.currentTarget.files?.[0];
              if (file === undefined) return;
              try {
                setAvatar(await avatarFromFile(file));
              } catch {
                setError('That image could not be read.');
              }
            }}
          />
        </label>
        <label>
          …or an image address
          <input
            type="url"
            value={avatar.startsWith('data:') ? '' : avatar}
            placeholder={avatar.startsWith('data:') ? '(picture chosen above)' : 'https://…'}
            onInput={(e) => setAvatar(e.currentTarget.value)}
          />
        </label>
        <p class="muted small">
          Name and avatar go into your visa, signed with your identity key and published to the station and your
          contacts.
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row-end">
          {avatar !== '' && (
            <button type="button" onClick={() => setAvatar('')}>
              Remove avatar
            </button>
          )}
          <button type="submit" class="primary" disabled={busy || name.trim() === ''}>
            {busy ? 'Publishing…' : 'Save and publish'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function ExportDialog(props: { session: ChatSession; onClose: () => void }) {
  const { session } = props;
  const download = () => {
    const json = JSON.stringify(session.exportIdentity(), null, 2);
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${session.myName.replace(/[^\w.-]+/g, '_') || 'identity'}.identity.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Modal title="Export your identity" onClose={props.onClose}>
      <div class="stack">
        <p>
          The identity file holds your <strong>private keys, unencrypted</strong>. Anyone who has it can read your
          messages and speak as you. Keep it offline.
        </p>
        <p class="muted small">
          It is the file the <code>dim</code> command line uses: <code>dim send --me file.json …</code>, and it can be
          imported in another browser.
        </p>
        <div class="row-end">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="button" class="primary" onClick={download}>
            Download identity file
          </button>
        </div>
      </div>
    </Modal>
  );
}

/** Eight groups of four, as two lines of four: easy to read aloud and compare. */
function fingerprintLines(fingerprint: string | undefined) {
  if (fingerprint === undefined) return undefined;
  const groups = fingerprint.split(' ');
  return (
    <>
      {groups.slice(0, 4).join(' ')}
      <br />
      {groups.slice(4).join(' ')}
    </>
  );
}

export function ContactInfoDialog(props: { session: ChatSession; peer: Peer; onClose: () => void }) {
  const { peer, session } = props;
  return (
    <Modal title={peer.isGroup ? 'Group' : 'Contact'} onClose={props.onClose}>
      <div class="stack">
        <div class="profile-preview">
          <Avatar id={peer.id} name={peer.name} src={peer.avatar} size={72} group={peer.isGroup} />
          <div>
            <div class="strong">{peer.name}</div>
            <div class="mono small muted break">{peer.id}</div>
            <CopyButton text={peer.id} label="Copy ID" />
          </div>
        </div>
        {!peer.isGroup && (
          <dl class="facts">
            <dt>Visa key fingerprint</dt>
            <dd class="mono fingerprint">{fingerprintLines(peer.fingerprint) ?? 'not known yet'}</dd>
            <dt>Your fingerprint</dt>
            <dd class="mono fingerprint">{fingerprintLines(session.myFingerprint) ?? '—'}</dd>
          </dl>
        )}
        {!peer.isGroup && (
          <p class="muted small">Compare fingerprints with your contact another way (in person, a call) to be sure.</p>
        )}
      </div>
    </Modal>
  );
}
