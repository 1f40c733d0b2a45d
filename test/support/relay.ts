// TCP relays that tests put between the hub and its database server, to cut or delay what passes.
import type { AddressInfo, Server } from 'node:net';

/** Starts `server` on a free loopback port; the database URL `target` with that address in place of the server's. */
export async function listenInPlaceOf(server: Server, target: string | URL): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return url.toString();
}
