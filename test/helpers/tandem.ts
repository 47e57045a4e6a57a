import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parseConfig } from '../../server/config.js';
import { type StartOptions, startTandem, type Tandem } from '../../server/tandem.js';

export interface TestTandem extends Tandem {
  dataDir: string;
}

/** A real Tandem on a free loopback port with its own throwaway data folder. */
export async function startTestTandem(
  env: Record<string, string> = {},
  options: Omit<StartOptions, 'logger'> = {},
): Promise<TestTandem> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-data-'));
  const config = parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off', ...env }, []);
  const tandem = await startTandem(config, {
    ...options,
    logger: pino({ level: process.env.TANDEM_TEST_LOG ?? 'silent' }),
  });
  return {
    ...tandem,
    dataDir,
    async stop() {
      await tandem.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CreatedSession {
  id: string;
  hostUrl: string;
  joinUrl: string;
  hostKey: string;
  joinKey: string;
}

export async function createSession(base: string, body: object = {}): Promise<CreatedSession> {
  const res = await fetch(`${base}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedSession;
}

export async function joinAs(base: string, session: string, name: string, key: string) {
  const res = await fetch(`${base}/api/sessions/${session}/participants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, key }),
  });
  if (res.status !== 201) throw new Error(`join: ${res.status} ${await res.text()}`);
  return (await res.json()) as { participantId: string; token: string; role: string };
}
