import { isMaskedValue, isPrivateElement, MASK, PRIVATE_ATTRIBUTE } from './privacy.js';

/** rrweb's numbers for the parts of its format this check reads. */
const FULL_SNAPSHOT = 2;
const INCREMENTAL = 3;
const MUTATION = 0;
const INPUT = 5;
const ELEMENT = 2;
const TEXT = 3;

interface SerializedNode {
  type: number;
  id: number;
  tagName?: string;
  attributes?: Record<string, unknown>;
  childNodes?: SerializedNode[];
  textContent?: string;
}

interface RecorderEvent {
  type: number;
  data?: {
    source?: number;
    node?: SerializedNode;
    id?: number;
    text?: unknown;
    adds?: Array<{ parentId: number; node: SerializedNode }>;
    attributes?: Array<{ id: number; attributes: Record<string, unknown> }>;
    texts?: Array<{ id: number; value: string | null }>;
  };
}

const maskedText = (text: string) => /^[\s*]*$/.test(text);
const maskText = (text: string) => text.replace(/\S/g, '*');

/**
 * The server's second look at a tab's recording: it follows the page's node tree from snapshots and
 * mutations, knows which nodes are private, and removes any clear-text value of a private field that
 * reached it (a runtime that failed to mask, or a forged stream). Input events carrying such a value
 * are dropped; values inside snapshots and mutations are replaced by the mask, so the mirror still
 * builds. Each removal counts as a violation for the caller to report.
 */
export class MaskCheck {
  private readonly parentOf = new Map<number, number>();
  private readonly privateSelf = new Set<number>();

  /** Returns the events that may be relayed (possibly scrubbed) and how many violations were removed. */
  apply(events: readonly unknown[]): { events: unknown[]; violations: number } {
    let violations = 0;
    const kept: unknown[] = [];
    for (const raw of events) {
      const e = raw as RecorderEvent;
      if (e.type === FULL_SNAPSHOT && e.data?.node) {
        this.parentOf.clear();
        this.privateSelf.clear();
        violations += this.walk(e.data.node, -1, false);
      } else if (e.type === INCREMENTAL && e.data?.source === MUTATION) {
        violations += this.mutation(e.data);
      } else if (e.type === INCREMENTAL && e.data?.source === INPUT && typeof e.data.id === 'number') {
        if (this.isPrivate(e.data.id) && !isMaskedValue(e.data.text)) {
          violations++;
          continue;
        }
      }
      kept.push(raw);
    }
    return { events: kept, violations };
  }

  private isPrivate(id: number): boolean {
    for (let n: number | undefined = id, hops = 0; n !== undefined && n !== -1 && hops < 10_000; hops++) {
      if (this.privateSelf.has(n)) return true;
      n = this.parentOf.get(n);
    }
    return false;
  }

  private walk(node: SerializedNode, parentId: number, insidePrivate: boolean): number {
    let violations = 0;
    this.parentOf.set(node.id, parentId);
    let isPrivate = insidePrivate;
    if (node.type === ELEMENT && node.attributes) {
      if (isPrivateElement(node.tagName ?? '', node.attributes)) {
        this.privateSelf.add(node.id);
        isPrivate = true;
      }
      if (isPrivate && 'value' in node.attributes && !isMaskedValue(node.attributes.value)) {
        node.attributes.value = MASK;
        violations++;
      }
    } else if (node.type === TEXT && insidePrivate && typeof node.textContent === 'string') {
      if (!maskedText(node.textContent)) {
        node.textContent = maskText(node.textContent);
        violations++;
      }
    }
    for (const child of node.childNodes ?? []) violations += this.walk(child, node.id, isPrivate);
    return violations;
  }

  private mutation(data: NonNullable<RecorderEvent['data']>): number {
    let violations = 0;
    for (const add of data.adds ?? [])
      violations += this.walk(add.node, add.parentId, this.isPrivate(add.parentId));
    for (const change of data.attributes ?? []) {
      const attrs = change.attributes;
      if (PRIVATE_ATTRIBUTE in attrs && attrs[PRIVATE_ATTRIBUTE] !== null) this.privateSelf.add(change.id);
      if (typeof attrs.type === 'string' && attrs.type.toLowerCase() === 'password')
        this.privateSelf.add(change.id);
      if (
        'value' in attrs &&
        this.isPrivate(change.id) &&
        !isMaskedValue(attrs.value) &&
        attrs.value !== null
      ) {
        attrs.value = MASK;
        violations++;
      }
    }
    for (const text of data.texts ?? []) {
      const parent = this.parentOf.get(text.id);
      if (
        typeof text.value === 'string' &&
        parent !== undefined &&
        this.isPrivate(parent) &&
        !maskedText(text.value)
      ) {
        text.value = maskText(text.value);
        violations++;
      }
    }
    return violations;
  }
}
