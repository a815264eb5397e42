import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';

export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly itemKey: (item: T) => string;
  /** A guess of an item's height before it is measured. */
  readonly estimate: (item: T) => number;
  readonly render: (item: T) => ComponentChildren;
  /** Called when the user scrolls near the top (load older items). */
  readonly onNearTop?: () => void;
  /**
   * Whether an item may anchor the scroll position: it must keep its key and stay put relative to its
   * neighbours when items are added above (a day separator does not: it moves up with its day).
   */
  readonly canAnchor?: (item: T) => boolean;
  /** Accessible name of the scrolling region. */
  readonly label: string;
  /** Changes when the list should jump to its end (another conversation opened). */
  readonly resetKey: string;
}

const OVERSCAN_PX = 600;
const STICK_PX = 48;
/** Space below the last item. */
const END_PADDING_PX = 12;

/** The first index whose bottom edge is below `y`. */
function indexAt(offsets: readonly number[], y: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1]! <= y) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo);
}

/**
 * A list that renders only the items near the viewport (long conversations stay smooth): item
 * heights are measured as they render (ResizeObserver) and estimated until then. It sticks to the
 * bottom while the user is there (new messages scroll into view), and otherwise keeps the item at
 * the top of the viewport in place when items are added above it or change height.
 */
export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, itemKey, estimate, render, onNearTop, label, resetKey, canAnchor } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const [, remeasured] = useReducer((n: number) => n + 1, 0);
  const [view, setView] = useState({ top: 0, height: 800 });
  const stick = useRef(true);
  /** The item at the top of the viewport and its offset when last seen: kept in place when items above it change. */
  const anchor = useRef<{ key: string; offset: number } | undefined>(undefined);
  const observer = useRef<ResizeObserver | undefined>(undefined);

  const offsets: number[] = new Array(items.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    offsets[i + 1] = offsets[i]! + (heights.current.get(itemKey(item)) ?? estimate(item));
  }
  const total = offsets[items.length]!;

  if (observer.current === undefined) {
    observer.current = new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const key = (entry.target as HTMLElement).dataset['key'];
        if (key === undefined || !entry.target.isConnected) continue;
        const height = Math.ceil(entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height);
        if (heights.current.get(key) !== height) {
          heights.current.set(key, height);
          changed = true;
        }
      }
      if (changed) remeasured(undefined as never);
    });
  }
  useEffect(() => () => observer.current?.disconnect(), []);

  useEffect(() => {
    stick.current = true;
    anchor.current = undefined;
  }, [resetKey]);

  const onScroll = () => {
    const el = scroller.current;
    if (el === null) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    let first = items.length === 0 ? -1 : indexAt(offsets, el.scrollTop);
    while (first >= 0 && first < items.length - 1 && canAnchor !== undefined && !canAnchor(items[first]!)) first++;
    anchor.current = first < 0 ? undefined : { key: itemKey(items[first]!), offset: offsets[first]! };
    setView({ top: el.scrollTop, height: el.clientHeight });
    if (el.scrollTop < 300) onNearTop?.();
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    if (view.height !== el.clientHeight) setView({ top: el.scrollTop, height: el.clientHeight });
    if (stick.current) {
      const bottom = el.scrollHeight - el.clientHeight;
      if (Math.abs(el.scrollTop - bottom) > 1) el.scrollTop = bottom;
      return;
    }
    const a = anchor.current;
    if (a === undefined) return;
    const index = items.findIndex((item) => itemKey(item) === a.key);
    if (index < 0) return;
    // Move by what changed above the anchor (older items loaded, heights measured), relative to where
    // the user is: an absolute position would undo a scroll still in progress.
    const shift = offsets[index]! - a.offset;
    if (shift !== 0) {
      a.offset = offsets[index]!;
      el.scrollTop += shift;
    }
  });

  // Fill a short list: ask for older items while the content does not fill the viewport.
  useEffect(() => {
    if (total < view.height) onNearTop?.();
  }, [total, view.height, onNearTop]);

  const start = items.length === 0 ? 0 : indexAt(offsets, Math.max(0, view.top - OVERSCAN_PX));
  const end = items.length === 0 ? 0 : indexAt(offsets, view.top + view.height + OVERSCAN_PX) + 1;
  const visible = [];
  for (let i = start; i < Math.min(end, items.length); i++) {
    const item = items[i]!;
    const key = itemKey(item);
    visible.push(
      <Row key={key} rowKey={key} top={offsets[i]!} observer={observer.current}>
        {render(item)}
      </Row>,
    );
  }

  return (
    <div
      class="vlist"
      ref={scroller}
      onScroll={onScroll}
      onKeyDown={(e) => {
        // Jump at once: a smooth scroll across unmeasured items would be cut short by the anchoring.
        const el = scroller.current;
        if (el === null || (e.key !== 'End' && e.key !== 'Home')) return;
        e.preventDefault();
        stick.current = e.key === 'End';
        el.scrollTop = e.key === 'End' ? el.scrollHeight : 0;
      }}
      tabIndex={0}
      role="log"
      aria-label={label}
      aria-live="polite"
      aria-relevant="additions"
    >
      <div class="vlist-content" style={{ height: `${total + END_PADDING_PX}px` }}>
        {visible}
      </div>
    </div>
  );
}

function Row(props: { rowKey: string; top: number; observer: ResizeObserver; children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  const { observer } = props;
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    observer.observe(el);
    return () => observer.unobserve(el);
  }, [observer]);
  return (
    <div ref={ref} data-key={props.rowKey} class="vrow" style={{ transform: `translateY(${props.top}px)` }}>
      {props.children}
    </div>
  );
}
