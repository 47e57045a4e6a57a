import type { ControlMessage } from '../session/protocol.js';

/**
 * Executes the baton holder's input on the live page, through the same events a person's input
 * would fire, so the page's own scripts (controlled inputs included) see it.
 */
export function execute(msg: ControlMessage, nodeById: (id: number) => Node | null): void {
  switch (msg.type) {
    case 'click': {
      const el = elementOf(nodeById(msg.node));
      if (!el) return;
      const init = { bubbles: true, cancelable: true, composed: true, view: window };
      el.dispatchEvent(new PointerEvent('pointerdown', init));
      el.dispatchEvent(new MouseEvent('mousedown', init));
      if (el instanceof HTMLElement) el.focus({ preventScroll: true });
      el.dispatchEvent(new PointerEvent('pointerup', init));
      el.dispatchEvent(new MouseEvent('mouseup', init));
      if (el instanceof HTMLElement) el.click();
      else el.dispatchEvent(new MouseEvent('click', init));
      return;
    }
    case 'input': {
      const el = elementOf(nodeById(msg.node));
      if (!el) return;
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
        if (msg.checked !== undefined && el.checked !== msg.checked) el.click();
        return;
      }
      if (msg.value === undefined) return;
      if (
        el instanceof HTMLInputElement ||
        el instanceof HTMLTextAreaElement ||
        el instanceof HTMLSelectElement
      ) {
        setNativeValue(el, msg.value);
        el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
      } else if (el instanceof HTMLElement && el.isContentEditable) {
        // The text node is changed in place when there is just one, so the page's nodes stay those
        // the mirror has (the recording carries a text change, not a replaced node).
        const only = el.childNodes.length === 1 ? el.firstChild : null;
        if (only instanceof Text) only.data = msg.value;
        else el.textContent = msg.value;
        el.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText' }));
      }
      return;
    }
    case 'scroll': {
      const target = msg.node === undefined ? null : elementOf(nodeById(msg.node));
      if (target && target !== document.documentElement && target !== document.body)
        target.scrollTo(msg.x, msg.y);
      else window.scrollTo(msg.x, msg.y);
      return;
    }
    case 'key': {
      const el =
        (msg.node === undefined ? null : elementOf(nodeById(msg.node))) ??
        document.activeElement ??
        document.body;
      const init = { key: msg.key, bubbles: true, cancelable: true, composed: true };
      const proceed = el.dispatchEvent(new KeyboardEvent('keydown', init));
      if (proceed && msg.key === 'Enter' && el instanceof HTMLInputElement && el.form)
        el.form.requestSubmit();
      el.dispatchEvent(new KeyboardEvent('keyup', init));
      return;
    }
    case 'history':
      if (msg.action === 'back') history.back();
      else if (msg.action === 'forward') history.forward();
      else location.reload();
      return;
    case 'nav':
      // Navigation is carried out by the viewer, which owns the frame's address.
      return;
  }
}

function elementOf(node: Node | null): Element | null {
  if (!node) return null;
  return node instanceof Element ? node : node.parentElement;
}

/** React and similar libraries track the value property; the prototype's setter updates their tracker. */
function setNativeValue(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string): void {
  const proto = Object.getPrototypeOf(el) as object;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(el, value);
  else el.value = value;
}
