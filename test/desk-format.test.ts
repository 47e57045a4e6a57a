import assert from 'node:assert/strict';
import {
  describeDetail,
  describeExpectedWait,
  describeRequest,
  describeStateChange,
  formatDuration,
  pageText,
  parseList,
  parseLocalDateTime,
  parseOrigins,
  secondsLeft,
} from '../viewer/desk/format.js';

describe('desk wording and parsing', () => {
  it('shows a recorded detail as labelled values, not raw JSON', () => {
    assert.equal(
      describeDetail({ origin: 'http://a.example', page: 'http://a.example/shop' }),
      'origin: http://a.example · page: http://a.example/shop',
    );
    assert.equal(describeDetail({ user: 'ann', roles: ['agent'] }), 'user: ann · roles: ["agent"]');
    assert.equal(describeDetail(null), '');
    assert.equal(describeDetail('locked'), 'locked');
  });

  it('formats time in state in seconds, then minutes, then hours', () => {
    assert.equal(formatDuration(-5), '0 s');
    assert.equal(formatDuration(45_900), '45 s');
    assert.equal(formatDuration(185_000), '3 min 05 s');
    assert.equal(formatDuration(2 * 3600_000 + 7 * 60_000 + 59_000), '2 h 07 min');
  });

  it('counts an offer down in whole seconds, rounding up and stopping at zero', () => {
    assert.equal(secondsLeft(10_000, 0), 10);
    assert.equal(secondsLeft(10_000, 9_001), 1);
    assert.equal(secondsLeft(10_000, 10_000), 0);
    assert.equal(secondsLeft(10_000, 12_000), 0);
  });

  it('rounds the expected wait to what a person would say', () => {
    assert.equal(describeExpectedWait(10), 'less than a minute');
    assert.equal(describeExpectedWait(70), 'about 1 minute');
    assert.equal(describeExpectedWait(137), 'about 2 minutes');
  });

  it('tells the visitor their place, and that they are next at the front', () => {
    const waiting = {
      status: 'waiting' as const,
      position: 3,
      expectedWaitSeconds: 200,
      monitorNotice: false,
    };
    assert.equal(describeRequest(waiting), 'You are number 3 in line. Expected wait: about 3 minutes.');
    assert.match(describeRequest({ ...waiting, position: 1 }), /^You are next\./);
    assert.equal(
      describeRequest({ ...waiting, expectedWaitSeconds: null }),
      'You are number 3 in line. No agent is free yet; the first one who is will take your request.',
    );
    assert.match(describeRequest({ ...waiting, status: 'overflow' }), /No agent can take/);
  });

  it('pages with the visitor’s name and question, or a neutral sentence without them', () => {
    assert.equal(pageText('Ann', ' Where is my parcel? '), 'Ann needs help: Where is my parcel?');
    assert.equal(pageText(null, ''), 'A visitor needs help.');
    assert.equal(pageText('  ', null), 'A visitor needs help.');
  });

  it('explains a state the desk set, such as Not ready after an unanswered offer', () => {
    assert.equal(
      describeStateChange('not-ready', 'missed-offer'),
      'The desk set you to Not ready because an offer went unanswered. Choose Ready when you are back.',
    );
    assert.match(describeStateChange('away', 'maintenance'), /to Away because maintenance\./);
  });

  it('accepts exact origins only, one per line, without repeats', () => {
    const { origins, errors } = parseOrigins(
      'https://shop.example\n\n  http://127.0.0.1:8123/ \nhttps://shop.example\nhttps://shop.example/cart\nftp://files.example\nshop',
    );
    assert.deepEqual(origins, ['https://shop.example', 'http://127.0.0.1:8123']);
    assert.equal(errors.length, 3);
    assert.match(errors[0] ?? '', /origin only, such as https:\/\/shop\.example/);
    assert.match(errors[1] ?? '', /must start with https:\/\//);
    assert.match(errors[2] ?? '', /is not an address/);
  });

  it('splits comma-separated lists, dropping empty items', () => {
    assert.deepEqual(parseList(' billing, ,returns,'), ['billing', 'returns']);
    assert.deepEqual(parseList(''), []);
  });

  it('reads a booking time only when it is complete and in the future', () => {
    const now = new Date('2030-01-01T10:00').getTime();
    assert.equal(parseLocalDateTime('2030-01-02T09:30', now), new Date('2030-01-02T09:30').getTime());
    assert.equal(parseLocalDateTime('2029-12-31T09:30', now), null);
    assert.equal(parseLocalDateTime('', now), null);
    assert.equal(parseLocalDateTime('2030-01-02', now), null);
  });
});
