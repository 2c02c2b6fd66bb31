import net from 'node:net';

interface Target {
  host: string;
  port: number;
}

/**
 * Loopback TCP proxies in front of Kafka brokers, for one client (wired in through kafkajs' `socketFactory`), that
 * can hold the brokers' responses: requests still reach the broker and are acted on, but the client hears nothing
 * until `release()`, so its requests time out. That is how produce timeouts are forced for real.
 */
export class HoldingProxy {
  private holding = false;
  private readonly held: Array<() => void> = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly servers: net.Server[] = [];
  private readonly ports = new Map<string, number>();

  /** Starts one proxy per broker address (`host:port`). */
  static async start(brokers: string[]): Promise<HoldingProxy> {
    const proxy = new HoldingProxy();
    for (const broker of brokers) {
      const [host, port] = broker.split(':');
      proxy.ports.set(broker, await proxy.listen({ host, port: Number(port) }));
    }
    return proxy;
  }

  /** A kafkajs socketFactory: every broker connection goes through the proxy for that broker. */
  readonly socketFactory = ({
    host,
    port,
    onConnect,
  }: {
    host: string;
    port: number;
    onConnect: () => void;
  }): net.Socket => {
    const proxyPort = this.ports.get(`${host}:${port}`);
    if (proxyPort === undefined) throw new Error(`HoldingProxy: no proxy for broker ${host}:${port}`);
    const socket = net.connect({ host: '127.0.0.1', port: proxyPort }, onConnect);
    socket.setKeepAlive(true, 30_000);
    return socket;
  };

  /** From now on, responses are kept back. */
  hold(): void {
    this.holding = true;
  }

  /** Delivers what was kept back, in order, and lets responses through again. */
  release(): void {
    this.holding = false;
    for (const deliver of this.held.splice(0)) deliver();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }

  private listen(target: Target): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        if (this.holding) this.held.push(() => client.write(chunk));
        else client.write(chunk);
      });
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    this.servers.push(server);
    return new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
    );
  }
}
