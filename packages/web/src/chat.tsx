import type { StoredMessage } from '@dimkit/client/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  AddContactDialog,
  ContactInfoDialog,
  ExportDialog,
  MembersDialog,
  NewGroupDialog,
  ProfileDialog,
} from './dialogs.js';
import { bytes, clock, dayKey, dayLabel, groupCommandText, listTime, preview, stateMark } from './format.js';
import type { ChatSession, ConversationView } from './session.js';
import { ClockIcon, LockIcon, PaperclipIcon, WarningIcon } from './icons.js';
import { AUTO_DOWNLOAD_BYTES, makeThumbnail, rasterType, saveBytes, thumbnailSrc } from './media.js';
import { Avatar, ConnectionBadge, CopyButton } from './ui.js';
import { VirtualList } from './virtual-list.js';

type Dialog = 'add' | 'group' | 'members' | 'profile' | 'export' | 'info' | undefined;

export function ChatScreen(props: { session: ChatSession; onLock: () => void }) {
  const { session } = props;
  const [, rerender] = useState(0);
  useEffect(() => session.subscribe(() => rerender((n) => n + 1)), [session]);
  const [current, setCurrent] = useState<string | undefined>(() => location.hash.slice(1) || undefined);
  const [dialog, setDialog] = useState<Dialog>();

  useEffect(() => {
    if (current !== undefined) history.replaceState(null, '', `#${current}`);
  }, [current]);

  return (
    <div class={`chat-app${current === undefined ? '' : ' has-current'}`}>
      <Sidebar session={session} current={current} onOpen={setCurrent} onDialog={setDialog} onLock={props.onLock} />
      {current === undefined ? (
        <main class="pane empty-pane">
          <div class="empty">
            <p class="strong">No conversation open</p>
            <p class="muted">Pick one on the left, or add a contact by their DIM ID.</p>
            <p class="muted small">
              Your ID: <span class="mono break">{session.me}</span> <CopyButton text={session.me} label="Copy" />
            </p>
          </div>
        </main>
      ) : (
        <ChatPane
          key={current}
          session={session}
          conversation={current}
          onBack={() => setCurrent(undefined)}
          onInfo={() => setDialog(session.peer(current).isGroup ? 'members' : 'info')}
        />
      )}
      {dialog === 'add' && (
        <AddContactDialog
          session={session}
          onClose={() => setDialog(undefined)}
          onAdded={(id) => {
            setDialog(undefined);
            setCurrent(id);
          }}
        />
      )}
      {dialog === 'group' && (
        <NewGroupDialog
          session={session}
          onClose={() => setDialog(undefined)}
          onCreated={(id) => {
            setDialog(undefined);
            setCurrent(id);
          }}
        />
      )}
      {dialog === 'members' && current !== undefined && (
        <MembersDialog
          session={session}
          group={current}
          onClose={() => setDialog(undefined)}
          onLeft={() => setDialog(undefined)}
        />
      )}
      {dialog === 'profile' && <ProfileDialog session={session} onClose={() => setDialog(undefined)} />}
      {dialog === 'export' && <ExportDialog session={session} onClose={() => setDialog(undefined)} />}
      {dialog === 'info' && current !== undefined && (
        <ContactInfoDialog session={session} peer={session.peer(current)} onClose={() => setDialog(undefined)} />
      )}
    </div>
  );
}

function Sidebar(props: {
  session: ChatSession;
  current: string | undefined;
  onOpen: (id: string) => void;
  onDialog: (d: Dialog) => void;
  onLock: () => void;
}) {
  const { session, current } = props;
  return (
    <aside class="sidebar" aria-label="Conversations and account">
      <header class="me">
        <button
          type="button"
          class="me-button"
          onClick={() => props.onDialog('profile')}
          aria-label="Edit your profile"
        >
          <Avatar id={session.me} name={session.myName} src={session.myAvatar} size={40} />
          <span class="me-text">
            <span class="strong ellipsis">{session.myName}</span>
            <span class="mono tiny muted ellipsis">{session.me}</span>
          </span>
        </button>
        <ConnectionBadge connection={session.connection} />
      </header>
      <div class="side-actions">
        <button type="button" class="primary" onClick={() => props.onDialog('add')}>
          + Add contact
        </button>
        <button type="button" onClick={() => props.onDialog('group')}>
          + New group
        </button>
      </div>
      <nav class="conversations" aria-label="Conversations">
        {session.conversations.length === 0 ? (
          <p class="muted small pad">No conversations yet.</p>
        ) : (
          <ul>
            {session.conversations.map((c) => (
              <li key={c.id}>
                <ConversationItem session={session} view={c} active={c.id === current} onOpen={props.onOpen} />
              </li>
            ))}
          </ul>
        )}
      </nav>
      <footer class="side-footer">
        <button type="button" onClick={() => props.onDialog('profile')}>
          Profile
        </button>
        <button type="button" onClick={() => props.onDialog('export')}>
          Export identity
        </button>
        <button type="button" onClick={props.onLock}>
          Lock
        </button>
      </footer>
    </aside>
  );
}

function ConversationItem(props: {
  session: ChatSession;
  view: ConversationView;
  active: boolean;
  onOpen: (id: string) => void;
}) {
  const { view, session } = props;
  const peer = session.peer(view.id);
  const last = view.lastMessage;
  const command = last === undefined ? undefined : (last.content as { command?: unknown }).command;
  const text =
    last === undefined
      ? 'No messages yet'
      : typeof command === 'string'
        ? (groupCommandText(last.content as unknown as Record<string, unknown>, (id) =>
            id === session.me ? 'you' : session.peer(id).name,
          ) ?? '')
        : `${last.direction === 'out' ? 'You: ' : ''}${preview(last.content)}`;
  return (
    <button
      type="button"
      class={`conv${props.active ? ' active' : ''}${view.unread > 0 ? ' unread' : ''}`}
      aria-current={props.active ? 'true' : undefined}
      onClick={() => props.onOpen(view.id)}
      data-conversation={view.id}
    >
      <Avatar id={peer.id} name={peer.name} src={peer.avatar} group={peer.isGroup} size={44} />
      <span class="conv-text">
        <span class="conv-top">
          <span class="conv-name ellipsis">
            {peer.name}
            {peer.keyChangedAt !== undefined && (
              <span class="warn-dot" title="Their key changed" aria-label="key changed">
                {' '}
                <WarningIcon />
              </span>
            )}
          </span>
          <span class="conv-time">{listTime(view.lastTime)}</span>
        </span>
        <span class="conv-bottom">
          <span class="conv-last ellipsis">{text}</span>
          {view.unread > 0 && (
            <span class="badge" aria-label={`${view.unread} unread`}>
              {view.unread}
            </span>
          )}
        </span>
      </span>
    </button>
  );
}

type Row =
  | { readonly kind: 'day'; readonly key: string; readonly label: string }
  | { readonly kind: 'note'; readonly key: string; readonly message: StoredMessage }
  | { readonly kind: 'msg'; readonly key: string; readonly message: StoredMessage; readonly first: boolean };

function rowsOf(messages: readonly StoredMessage[]): Row[] {
  const rows: Row[] = [];
  let day = '';
  let previous: StoredMessage | undefined;
  for (const m of messages) {
    const d = dayKey(m.time);
    if (d !== day) {
      rows.push({ kind: 'day', key: `d-${d}`, label: dayLabel(m.time) });
      day = d;
      previous = undefined;
    }
    if (typeof (m.content as { command?: unknown }).command === 'string') {
      // A group command we gave (the SDK keeps our own in the conversation): a note, not a bubble.
      rows.push({ kind: 'note', key: `m-${m.id}`, message: m });
      previous = undefined;
      continue;
    }
    // The first of a run from one sender shows the sender's name in groups and gets more space.
    const first = previous === undefined || previous.sender !== m.sender || m.time - previous.time > 300;
    rows.push({ kind: 'msg', key: `m-${m.id}`, message: m, first });
    previous = m;
  }
  return rows;
}

function ChatPane(props: { session: ChatSession; conversation: string; onBack: () => void; onInfo: () => void }) {
  const { session, conversation } = props;
  const peer = session.peer(conversation);
  const thread = session.threads.get(conversation);
  const messages = thread?.messages ?? [];
  const rows = useMemo(() => rowsOf(messages), [messages]);
  const unread = session.conversations.find((c) => c.id === conversation)?.unread ?? 0;
  const loading = useRef(false);

  useEffect(() => {
    void session.openThread(conversation);
  }, [session, conversation]);

  // Read receipts: the conversation is on screen and the tab is visible.
  useEffect(() => {
    const mark = () => {
      if (document.visibilityState === 'visible' && unread > 0) void session.markRead(conversation);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [session, conversation, unread]);

  const loadOlder = useCallback(() => {
    if (loading.current || thread === undefined || thread.complete) return;
    loading.current = true;
    void session.loadOlder(conversation).finally(() => (loading.current = false));
  }, [session, conversation, thread]);

  const render = useCallback(
    (row: Row) =>
      row.kind === 'day' ? (
        <div class="day" role="separator">
          <span>{row.label}</span>
        </div>
      ) : row.kind === 'note' ? (
        <NoteRow session={session} message={row.message} />
      ) : (
        <MessageRow session={session} message={row.message} first={row.first} group={peer.isGroup} />
      ),
    [session, peer.isGroup],
  );

  return (
    <main class="pane" aria-label={`Conversation with ${peer.name}`}>
      <header class="pane-head">
        <button type="button" class="icon-button back" aria-label="Back to conversations" onClick={props.onBack}>
          ←
        </button>
        <button type="button" class="peer-button" onClick={props.onInfo} aria-label={`About ${peer.name}`}>
          <Avatar id={peer.id} name={peer.name} src={peer.avatar} group={peer.isGroup} size={38} />
          <span class="peer-text">
            <span class="strong ellipsis">{peer.name}</span>
            <span class="mono tiny muted ellipsis">
              {peer.isGroup ? <GroupSubtitle session={session} group={peer.id} /> : peer.id}
            </span>
          </span>
        </button>
        <span class="e2e-note" title="Messages are encrypted in this browser; the station cannot read them">
          <LockIcon /> <span class="e2e-label">End-to-end encrypted</span>
        </span>
      </header>
      {peer.keyChangedAt !== undefined && (
        <div class="banner warn" role="alert">
          <span>
            <WarningIcon /> {peer.name}'s encryption key changed on{' '}
            {new Date(peer.keyChangedAt * 1000).toLocaleString()}. If you did not expect this, check the new fingerprint
            with them another way.
          </span>
          <span class="banner-actions">
            <button type="button" onClick={props.onInfo}>
              Show fingerprint
            </button>
            <button type="button" onClick={() => void session.acknowledgeKeyChange(conversation)}>
              Dismiss
            </button>
          </span>
        </div>
      )}
      {!peer.known && !peer.isGroup && (
        <div class="banner info" role="status">
          Waiting for {peer.name}'s public keys from the station; messages are kept until they arrive.
        </div>
      )}
      {messages.length === 0 && thread !== undefined ? (
        <div class="messages-empty muted">No messages yet. Say hello!</div>
      ) : (
        <VirtualList
          items={rows}
          itemKey={(r) => r.key}
          estimate={(r) => (r.kind === 'day' ? 44 : 52)}
          render={render}
          onNearTop={loadOlder}
          canAnchor={(r) => r.kind === 'msg'}
          label={`Messages with ${peer.name}`}
          resetKey={conversation}
        />
      )}
      <UploadTray session={session} conversation={conversation} />
      <Composer session={session} conversation={conversation} />
    </main>
  );
}

/** A group command as a centred line: who did what, and when. */
function NoteRow(props: { session: ChatSession; message: StoredMessage }) {
  const { session, message } = props;
  const name = (id: string) => (id === session.me ? 'you' : session.peer(id).name);
  const text = groupCommandText(message.content as unknown as Record<string, unknown>, name);
  if (text === undefined) return <div class="note-empty" />;
  const who = message.sender === session.me ? 'You' : session.peer(message.sender).name;
  return (
    <div class="note" data-id={message.id}>
      <span>
        {who}: {text} · {clock(message.time)}
      </span>
    </div>
  );
}

/** "3 members", from what this client knows of the group. */
function GroupSubtitle(props: { session: ChatSession; group: string }) {
  const { session, group } = props;
  const info = session.groupInfo.get(group);
  useEffect(() => {
    if (info === undefined) void session.loadGroupInfo(group);
  }, [session, group, info]);
  if (info === undefined) return <>group</>;
  const n = info.members.length;
  const gone = !info.members.includes(session.me);
  return <>{gone ? 'you are not a member' : `${n} member${n === 1 ? '' : 's'}`} · show members</>;
}

function MessageRow(props: { session: ChatSession; message: StoredMessage; first: boolean; group: boolean }) {
  const { message, session } = props;
  const out = message.direction === 'out';
  const content = message.content as StoredMessage['content'] & Record<string, unknown>;
  const type = Number(content.type);
  const isFile = type === 0x10 || type === 0x12 || type === 0x14 || type === 0x16;
  const text = typeof content['text'] === 'string' ? content['text'] : preview(message.content);
  const mark = out ? stateMark(message.state) : undefined;
  return (
    <div
      class={`msg ${out ? 'out' : 'in'}${props.first ? ' first' : ''}`}
      data-id={message.id}
      data-state={message.state}
    >
      <div class={isFile ? 'bubble has-file' : 'bubble'}>
        {props.group && !out && props.first && <div class="sender">{session.peer(message.sender).name}</div>}
        {isFile ? <FileBody session={session} message={message} /> : <span class="text">{text}</span>}
        <span class="meta">
          <time dateTime={new Date(message.time * 1000).toISOString()}>{clock(message.time)}</time>
          {mark && (
            <span class={`mark ${mark.tone}`} title={mark.label} aria-label={mark.label} role="img">
              {message.state === 'pending' ? <ClockIcon /> : mark.glyph}
            </span>
          )}
        </span>
      </div>
      {out && message.state === 'failed' && (
        <div class="failed-line">
          <span class="error small">{message.error ?? 'Not sent.'}</span>
          <button type="button" class="link-button" onClick={() => void session.retry(message)}>
            Retry
          </button>
        </div>
      )}
    </div>
  );
}

/** A picture (thumbnail first, then the decrypted picture) or a file with a download button and progress. */
function FileBody(props: { session: ChatSession; message: StoredMessage }) {
  const { session, message } = props;
  const content = message.content as StoredMessage['content'] & Record<string, unknown>;
  const filename = typeof content['filename'] === 'string' ? content['filename'] : 'file';
  const length = typeof content['length'] === 'number' ? content['length'] : undefined;
  const mime = Number(content.type) === 0x12 ? rasterType(filename) : undefined;
  const download = session.downloads.get(message.id);
  const auto = mime !== undefined && (length === undefined || length <= AUTO_DOWNLOAD_BYTES);
  useEffect(() => {
    if (auto && download === undefined) void session.fetchFile(message, mime);
  }, [auto, download, session, message, mime]);

  const progress =
    download !== undefined && download.bytes === undefined && download.error === undefined ? (
      <Progress done={download.done} total={download.total ?? length} label={`Downloading ${filename}`} />
    ) : null;

  if (mime !== undefined) {
    const thumb = thumbnailSrc(content['thumbnail']);
    const src = download?.url ?? thumb;
    return (
      <span class="file-body">
        {src !== undefined ? (
          <img class={`picture${download?.url === undefined ? ' blurred' : ''}`} src={src} alt={filename} />
        ) : (
          <span class="picture-missing">{filename}</span>
        )}
        {progress}
        {download?.error !== undefined && <span class="error small">Could not load the picture: {download.error}</span>}
        {!auto && download === undefined && (
          <button type="button" class="link-button" onClick={() => void session.fetchFile(message, mime)}>
            Load picture ({length === undefined ? 'size unknown' : bytes(length)})
          </button>
        )}
      </span>
    );
  }
  return (
    <span class="file-body file-card">
      <span class="file-icon" aria-hidden="true">
        <PaperclipIcon />
      </span>
      <span class="file-text">
        <span class="strong ellipsis">{filename}</span>
        <span class="small muted">{length === undefined ? '' : bytes(length)}</span>
        {progress}
        {download?.error !== undefined && <span class="error small">{download.error}</span>}
      </span>
      <button
        type="button"
        class="file-save"
        aria-label={`Download ${filename}`}
        disabled={download !== undefined && download.bytes === undefined && download.error === undefined}
        onClick={async () => {
          const done = await session.fetchFile(message);
          if (done.bytes !== undefined) saveBytes(done.bytes, filename);
        }}
      >
        Save
      </button>
    </span>
  );
}

function Progress(props: { done: number; total: number | undefined; label: string }) {
  const percent = props.total ? Math.min(100, Math.round((props.done / props.total) * 100)) : undefined;
  return (
    <span class="progress">
      <progress max={100} value={percent} aria-label={props.label} />
      <span class="tiny muted">
        {percent === undefined ? bytes(props.done) : `${percent}%`}
        {props.total ? ` of ${bytes(props.total)}` : ''}
      </span>
    </span>
  );
}

/** Files being encrypted and uploaded in this conversation, with progress (or why they failed). */
function UploadTray(props: { session: ChatSession; conversation: string }) {
  const uploads = props.session.uploads.get(props.conversation) ?? [];
  if (uploads.length === 0) return null;
  return (
    <ul class="uploads" aria-label="Uploads">
      {uploads.map((u) => (
        <li key={u.id} class="upload">
          <PaperclipIcon />
          <span class="ellipsis upload-name">{u.filename}</span>
          {u.error === undefined ? (
            <Progress done={u.done} total={u.total} label={`Uploading ${u.filename}`} />
          ) : (
            <>
              <span class="error small">Not sent: {u.error}</span>
              <button
                type="button"
                class="link-button"
                onClick={() => props.session.dismissUpload(props.conversation, u.id)}
              >
                Dismiss
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function Composer(props: { session: ChatSession; conversation: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [props.conversation]);
  const attach = async (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const thumbnail = rasterType(file.name) !== undefined ? await makeThumbnail(file) : undefined;
      void props.session.sendFile(props.conversation, file, thumbnail);
    }
    if (picker.current !== null) picker.current.value = '';
  };
  const send = async () => {
    const value = text.trim();
    if (value === '') return;
    setText('');
    setError(undefined);
    try {
      await props.session.sendText(props.conversation, value);
    } catch (err) {
      setText(value);
      setError(String((err as Error).message ?? err));
    }
    input.current?.focus();
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      {error && (
        <p class="error small composer-error" role="alert">
          {error}
        </p>
      )}
      <input
        ref={picker}
        id="composer-file"
        type="file"
        multiple
        class="visually-hidden"
        tabIndex={-1}
        aria-label="Files to send"
        onChange={(e) => void attach(e.currentTarget.files)}
      />
      <button
        type="button"
        class="icon-button attach"
        aria-label="Attach a file or picture"
        title="Attach a file or picture"
        onClick={() => picker.current?.click()}
      >
        <PaperclipIcon />
      </button>
      <label class="visually-hidden" for="composer-input">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={input}
        rows={1}
        value={text}
        placeholder="Write a message…"
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <button type="submit" class="primary send" disabled={text.trim() === ''}>
        Send
      </button>
    </form>
  );
}
