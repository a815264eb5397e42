import { useEffect, useState } from 'preact/hooks';
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

/** Picks users: known contacts as checkboxes, and more by ID (one per line). */
function MemberPicker(props: {
  session: ChatSession;
  exclude: readonly string[];
  chosen: readonly string[];
  onChange: (ids: string[]) => void;
  extra: string;
  onExtra: (text: string) => void;
}) {
  const candidates = props.session.knownUsers().filter((p) => !props.exclude.includes(p.id));
  return (
    <>
      {candidates.length > 0 && (
        <fieldset class="pick">
          <legend>Contacts</legend>
          {candidates.map((p) => (
            <label key={p.id} class="pick-row">
              <input
                type="checkbox"
                checked={props.chosen.includes(p.id)}
                onChange={(e) =>
                  props.onChange(
                    e.currentTarget.checked ? [...props.chosen, p.id] : props.chosen.filter((id) => id !== p.id),
                  )
                }
              />
              <Avatar id={p.id} name={p.name} src={p.avatar} size={28} />
              <span class="pick-text">
                <span class="ellipsis">{p.name}</span>
                <span class="mono tiny muted ellipsis">{p.id}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <label>
        Other members by DIM ID (one per line)
        <textarea
          class="mono"
          rows={2}
          value={props.extra}
          spellcheck={false}
          onInput={(e) => props.onExtra(e.currentTarget.value)}
        />
      </label>
    </>
  );
}

function idsOf(chosen: readonly string[], extra: string): string[] {
  const typed = extra
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...new Set([...chosen, ...typed])];
}

export function NewGroupDialog(props: { session: ChatSession; onClose: () => void; onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [extra, setExtra] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const members = idsOf(chosen, extra);
      // Typed IDs become contacts first (their keys are needed to write to them).
      for (const id of members) if (!props.session.peer(id).known) await props.session.addContact(id);
      props.onCreated(await props.session.createGroup(name.trim(), members));
    } catch (err) {
      setError(
        errorCode(err) === 'id.syntax'
          ? 'One of the IDs is not a valid DIM ID.'
          : String((err as Error).message ?? err),
      );
      setBusy(false);
    }
  };
  return (
    <Modal title="New group" onClose={props.onClose}>
      <form onSubmit={submit} class="stack">
        <label>
          Group name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={64} autoFocus />
        </label>
        <MemberPicker
          session={props.session}
          exclude={[]}
          chosen={chosen}
          onChange={setChosen}
          extra={extra}
          onExtra={setExtra}
        />
        <p class="muted small">
          You own the group. Messages go to each member, encrypted for each of them (wire spec §4.8).
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row-end">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy || name.trim() === ''}>
            {busy ? 'Creating…' : 'Create group'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function MembersDialog(props: { session: ChatSession; group: string; onClose: () => void; onLeft: () => void }) {
  const { session, group } = props;
  const info = session.groupInfo.get(group);
  const [chosen, setChosen] = useState<string[]>([]);
  const [extra, setExtra] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => void session.loadGroupInfo(group), [session, group]);
  const members = info?.members ?? [];
  const mayChange = info !== undefined && (info.owner === session.me || info.administrators.includes(session.me));
  const amMember = members.includes(session.me);
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      await session.loadGroupInfo(group);
    } catch (err) {
      setError(String((err as Error).message ?? err));
    }
    setBusy(false);
  };
  return (
    <Modal title={`${session.peer(group).name}: members`} onClose={props.onClose}>
      <div class="stack">
        {info === undefined ? (
          <p class="muted">Loading…</p>
        ) : members.length === 0 ? (
          <p class="muted">The member list has not arrived yet.</p>
        ) : (
          <ul class="members" aria-label="Members">
            {members.map((id) => {
              const p =
                id === session.me
                  ? { ...session.peer(id), name: session.myName, avatar: session.myAvatar }
                  : session.peer(id);
              const role = id === info.owner ? 'owner' : info.administrators.includes(id) ? 'administrator' : undefined;
              return (
                <li key={id} class="member">
                  <Avatar id={id} name={p.name} src={p.avatar} size={32} />
                  <span class="pick-text">
                    <span class="ellipsis">
                      {id === session.me ? `${session.myName} (you)` : p.name}
                      {role && <span class="role"> {role}</span>}
                    </span>
                    <span class="mono tiny muted ellipsis">{id}</span>
                  </span>
                </li>
              );
            })}
          </ul>
        )}
        {mayChange && (
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                const ids = idsOf(chosen, extra);
                for (const id of ids) if (!session.peer(id).known) await session.addContact(id);
                await session.inviteToGroup(group, ids);
                setChosen([]);
                setExtra('');
              });
            }}
          >
            <h3 class="small-heading">Invite</h3>
            <MemberPicker
              session={session}
              exclude={members}
              chosen={chosen}
              onChange={setChosen}
              extra={extra}
              onExtra={setExtra}
            />
            <div class="row-end">
              <button type="submit" class="primary" disabled={busy || idsOf(chosen, extra).length === 0}>
                Invite
              </button>
            </div>
          </form>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {amMember && info?.owner !== session.me && (
          <div class="row-end">
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await session.quitGroup(group);
                  props.onLeft();
                })
              }
            >
              Leave group
            </button>
          </div>
        )}
      </div>
    </Modal>
  );
}
