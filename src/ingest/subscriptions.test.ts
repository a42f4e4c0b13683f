/** The notifier's table of subscriptions: at most so many topics per client, taken in order; a client's go with it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Subscriptions } from './subscriptions.ts';
import { parseSubTopic } from './topics.ts';

test('a client holds at most its limit of topics, claimed in order; one it holds already, or one given back, may be subscribed again', () => {
  const subs = new Subscriptions(3);
  const topic = (i: number) => `v1.1/Datastreams(${i})/Observations`;
  const grant = (client: string, i: number) => subs.add(client, true, topic(i), parseSubTopic(topic(i)), 1);
  // Four claims of one SUBSCRIBE, before any is granted: the fourth is one too many.
  assert.deepEqual([1, 2, 3, 4].map((i) => subs.claim('a', topic(i))), [true, true, true, false]);
  grant('a', 1);
  grant('a', 2);
  subs.unclaim('a', topic(3)); // its check failed (no such Datastream, say)
  assert.equal(subs.claim('a', topic(4)), true);
  grant('a', 4);
  assert.equal(subs.claim('a', topic(5)), false);
  assert.equal(subs.claim('a', topic(2)), true, 'the same topic again is no new one');
  subs.unclaim('a', topic(2)); // a repeated SUBSCRIBE that failed leaves the granted one in place
  assert.equal(subs.claim('a', topic(5)), false);
  assert.equal(subs.claim('b', topic(1)), true, 'the limit is per client');
  grant('b', 1);
  subs.remove('a', topic(4));
  assert.equal(subs.claim('a', topic(5)), true);
  subs.unclaim('a', topic(5));
  assert.equal(subs.size, 2);
  // The client's session ends: its topics go, those others hold stay.
  subs.removeClient('a');
  assert.equal(subs.size, 1);
  assert.deepEqual([...(subs.of('Observation') ?? [])].map((s) => [s.topic, [...s.clients.keys()]]), [[topic(1), ['b']]]);
  assert.deepEqual([1, 2, 3].map((i) => subs.claim('a', topic(i))), [true, true, true]);
});
