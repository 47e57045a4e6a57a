import { COMMANDS, runCommand } from './cli.js';
import { ConfigError, parseConfig } from './config.js';
import { startTandem } from './tandem.js';

const argv = process.argv.slice(2);
const command = (COMMANDS as readonly string[]).includes(argv[0] ?? '');
// A command's words come first; options after them configure it as they would the server.
const firstOption = command ? argv.findIndex((a) => a.startsWith('--')) : 0;
const words = command ? argv.slice(0, firstOption === -1 ? argv.length : firstOption) : [];
let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env, argv.slice(words.length));
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`tandem: bad configuration: ${e.message}\n`);
  process.exit(2);
}

if (command) process.exit(await runCommand(words, config, (line) => process.stdout.write(`${line}\n`)));

const tandem = await startTandem(config);
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  tandem.log.info({ signal }, 'stopping');
  tandem.stop().then(
    () => process.exit(0),
    (err: Error) => {
      tandem.log.error({ err: err.stack }, 'unclean stop');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
