import type { Marker, MarkerKind } from './timeline.js';

export type NameOf = (id: string | null) => string;

/** One line telling an auditor what happened at a marker. */
export function describe(m: Marker, nameOf: NameOf): string {
  switch (m.kind) {
    case 'location':
      return `Page: ${m.detail}`;
    case 'chat':
      return `${nameOf(m.who)}: ${m.detail}`;
    case 'baton':
      return m.who === null ? 'Nobody is in control' : `${nameOf(m.who)} has control`;
    case 'control':
      return `${nameOf(m.who)} was given control`;
    case 'highlight':
      return `${nameOf(m.who)} highlighted an element`;
    case 'tab':
      return `Tab: ${m.detail}`;
    case 'joined':
      return `${nameOf(m.who)} joined`;
    case 'left':
      return `${nameOf(m.who)} left`;
    case 'removed':
      return `${nameOf(m.who)} was removed by the host`;
    case 'question':
      return `${nameOf(m.who)} asked the hosts: ${m.detail}`;
    case 'invite':
      return 'The invite link was replaced: the old one lets nobody in any more';
  }
}

export const KIND_LABELS: Record<MarkerKind, string> = {
  location: 'Navigation',
  chat: 'Chat',
  baton: 'Baton',
  control: 'Control granted',
  highlight: 'Highlight',
  tab: 'Tab',
  joined: 'Joined',
  left: 'Left',
  removed: 'Removed',
  invite: 'Invite link',
  question: 'Question',
};
