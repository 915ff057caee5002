// The issuer as `npm start` runs it in development (SQLite, dev keys, dev OpenID provider), on a
// test's own directory. Ports '0' pick free ones; a restart passes the ports the first start got,
// so the browser keeps its origin (and the app its storage) across the restart.
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/main.ts';
import { APPS_DIR } from './app-test-server.ts';

export function startDevIssuer(dir: string, ports: { port: string; devIdpPort: string }, env: Record<string, string> = {}): Promise<RunningServer> {
  return startServer({
    env: {
      PORT: ports.port,
      HOST: '127.0.0.1',
      VAXPASS_DB: join(dir, 'vaxpass.sqlite'),
      VAXPASS_KEYS: join(dir, 'keys'),
      VAXPASS_DEV_IDP: 'on',
      VAXPASS_DEV_IDP_PORT: ports.devIdpPort,
      VAXPASS_APPS_DIR: APPS_DIR,
      LOG_LEVEL: 'silent',
      ...env,
    },
    print: () => undefined,
    writeLog: () => undefined,
  });
}

/** The ports a running dev issuer listens on, to start it again on the same ones. */
export function portsOf(server: RunningServer): { port: string; devIdpPort: string } {
  return { port: new URL(server.url).port, devIdpPort: new URL(server.devIdpIssuer!).port };
}
