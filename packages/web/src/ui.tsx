// Small shared pieces: avatar, modal dialog, connection badge.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Connection } from './session.js';
import { hue, initials } from './format.js';

export function Avatar(props: { id: string; name: string; src?: string | undefined; size?: number; group?: boolean }) {
  const size = props.size ?? 40;
  const [broken, setBroken] = useState(false);
  useEffect(() => setBroken(false), [props.src]);
  const style = { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.38)}px` };
  if (props.src !== undefined && !broken) {
    return <img class="avatar" src={props.src} alt="" style={style} onError={() => setBroken(true)} />;
  }
  return (
    <span
      class={`avatar placeholder${props.group ? ' group' : ''}`}
      aria-hidden="true"
      style={{ ...style, background: `hsl(${hue(props.id)} 45% 42%)` }}
    >
      {props.group ? '#' : initials(props.name)}
    </span>
  );
}

/**
 * A modal `<dialog>`: focus moves into it, Escape closes it, focus returns to where it was. `onClose`
 * is called however it closes.
 */
export function Modal(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const previous = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      previous?.focus();
    };
  }, []);
  const titleId = `dlg-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog
      ref={ref}
      class={`modal${props.wide ? ' wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <header class="modal-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={props.onClose}>
          ✕
        </button>
      </header>
      <div class="modal-body">{props.children}</div>
    </dialog>
  );
}

const CONNECTION_TEXT: Record<Connection['state'], string> = {
  idle: 'Offline',
  connecting: 'Connecting…',
  handshaking: 'Signing in…',
  running: 'Online',
  waiting: 'Reconnecting',
  closed: 'Offline',
};

/** The connection indicator: a coloured dot and a word, with a countdown while waiting to reconnect. */
export function ConnectionBadge(props: { connection: Connection }) {
  const { state, retryAt, reason } = props.connection;
  const [, tick] = useState(0);
  useEffect(() => {
    if (state !== 'waiting') return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [state]);
  let text = CONNECTION_TEXT[state];
  if (state === 'waiting' && retryAt !== undefined) {
    text = `Reconnecting in ${Math.max(0, Math.ceil((retryAt - Date.now()) / 1000))} s`;
  }
  const tone = state === 'running' ? 'ok' : state === 'waiting' || state === 'closed' ? 'bad' : 'busy';
  return (
    <span
      class={`conn conn-${tone}`}
      role="status"
      data-state={state}
      title={reason === undefined ? text : `${text} (${reason})`}
    >
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/** Copies text to the clipboard, showing "Copied" for a moment. */
export function CopyButton(props: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="link-button"
      onClick={() => {
        void navigator.clipboard?.writeText(props.text).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        });
      }}
    >
      {done ? 'Copied' : props.label}
    </button>
  );
}
