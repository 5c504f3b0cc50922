// What the arping engine needs from the world: interfaces, routes, source
// selection, a packet socket and a clock. The kernel (src/kernel/packet.ts)
// and the model (src/sim) each provide one; the engine cannot tell them apart.

export interface ArpingDevice {
  name: string;
  ifindex: number;
  /** IFF_* flags. */
  flags: number;
  mac?: Uint8Array;
  broadcast?: Uint8Array;
}

/** A received ARP payload (28+ bytes, Ethernet/IPv4) with its packet type and arrival time. */
export interface ArpingFrame {
  payload: Uint8Array;
  /** PACKET_HOST 0, PACKET_BROADCAST 1, PACKET_MULTICAST 2, PACKET_OTHERHOST 3, PACKET_OUTGOING 4. */
  pkttype: number;
  /** Arrival time in ns, on the clock of the times send() returns (not necessarily now()'s). */
  at: bigint;
}

export interface ArpingSocket {
  /** Binds to the device for ARP; 0 or the errno. */
  bind(ifindex: number): number;
  /** The device's hardware address as the bound socket reports it (empty: none). */
  readonly mac: Uint8Array;
  /**
   * Sends a 28-byte ARP payload to a link-layer address; returns the send time
   * (ns, read before the frame left, on the clock of the frames' arrival times) or an errno.
   */
  send(payload: Uint8Array, to: Uint8Array): bigint | { errno: number };
  /**
   * Waits until a frame arrives (returned), the deadline passes ('timeout',
   * a time on the port's clock in ns; undefined waits without end), or
   * interrupt() is called ('interrupted').
   */
  next(deadline: bigint | undefined): Promise<ArpingFrame | 'timeout' | 'interrupted'>;
  interrupt(): void;
  close(): void;
}

export interface ArpingPort {
  /** Interfaces in the order getifaddrs() lists AF_PACKET entries. */
  devices(): ArpingDevice[];
  /** The device the route to `dst` leaves by (RTM_GETROUTE); undefined if the kernel has no route. */
  routeDevice(dst: Uint8Array): ArpingDevice | undefined;
  /** The source address the kernel picks for `dst` (a connected UDP socket); or the errno of connect(). */
  sourceFor(dst: Uint8Array, device: string, dontRoute: boolean): Uint8Array | { errno: number };
  /** Can `src` be bound (bind() on a UDP socket)? 0 or the errno. */
  canBind(src: Uint8Array, device: string): number;
  /** An AF_PACKET socket (bound later); or the errno of socket(). */
  open(): ArpingSocket | { errno: number };
  /** Monotonic time in ns. */
  now(): bigint;
  /** Releases what the port holds (sockets). */
  close?(): void;
}
