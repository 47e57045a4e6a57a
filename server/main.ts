import { ConfigError, parseConfig } from './config.js';
import { startTandem } from './tandem.js';

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env, process.argv.slice(2));
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`tandem: bad configuration: ${e.message}\n`);
  process.exit(2);
}

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
