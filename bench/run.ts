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

// Names given on the command line run only those (`npm run bench -- proxy "help desk"`).
const chosen = process.argv.slice(2);
const unknown = chosen.filter((c) => !benches.some(([name]) => name === c));
if (unknown.length > 0) {
  console.error(`no benchmark named ${unknown.join(', ')}; there are: ${benches.map(([n]) => n).join(', ')}`);
  process.exit(2);
}
for (const [name, bench] of benches) {
  if (chosen.length > 0 && !chosen.includes(name)) continue;
  const figures = await bench.run();
  console.log(`\n${name}`);
  for (const [figure, value] of Object.entries(figures)) console.log(`  ${figure.padEnd(48)} ${value}`);
}
