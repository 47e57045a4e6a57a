import * as archive from './archive.bench.js';
import * as crash from './crash.bench.js';
import * as desk from './desk.bench.js';
import * as fanout from './fanout.bench.js';
import * as pageload from './pageload.bench.js';
import * as proxy from './proxy.bench.js';
import * as replay from './replay.bench.js';
import * as rewrite from './rewrite.bench.js';
import * as sessions from './sessions.bench.js';

/** Runs every benchmark in turn and prints its figures; bounded in count and time, loopback only. */
const benches: Array<[string, { run(): Promise<Record<string, number>> }]> = [
  ['rewrite', rewrite],
  ['fan-out', fanout],
  ['2,000 sessions', sessions],
  ['proxy', proxy],
  ['page load', pageload],
  ['archive', archive],
  ['replay', replay],
  ['kill -9', crash],
  ['help desk', desk],
];

for (const [name, bench] of benches) {
  const figures = await bench.run();
  console.log(`\n${name}`);
  for (const [figure, value] of Object.entries(figures)) console.log(`  ${figure.padEnd(48)} ${value}`);
}
