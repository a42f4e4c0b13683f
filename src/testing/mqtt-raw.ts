/** MQTT 3.1.1 packets written by hand, and a reader of a raw socket, for tests and benches that send what mqtt.js would not. */

/** MQTT's variable-length integer (the remaining length of a fixed header). */
export function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 128;
    out.push(b);
  } while (n > 0);
  return out;
}

/** An MQTT string: its length in two bytes, then its UTF-8. */
function mqttString(s: string): Buffer {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
}

function packet(first: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([first, ...varint(body.length)]), body]);
}

/** Reads a socket's bytes as they come: `read(n)` resolves with the next n. */
export function reader(s: import('node:net').Socket): (n: number, timeoutMs?: number) => Promise<Buffer> {
  let buf = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
  });
  return async (n, timeoutMs = 3000) => {
    for (const deadline = Date.now() + timeoutMs; buf.length < n; await new Promise((r) => setTimeout(r, 10))) {
      if (Date.now() > deadline) throw new Error(`expected ${n} bytes, got ${buf.length}`);
    }
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
}

/**
 * MQTT 3.1.1 packets written by hand, for tests that send what mqtt.js would not: a client that
 * never reads, withholds its PUBREL, retransmits with DUP, or announces more than it sends.
 */
export const rawMqtt = {
  connect(clientId: string, password?: string): Buffer {
    const flags = password === undefined ? 0x02 : 0xc2; // clean session (+ username and password)
    const creds = password === undefined ? [] : [mqttString('device'), mqttString(password)];
    return packet(0x10, mqttString('MQTT'), Buffer.from([4, flags, 0, 60]), mqttString(clientId), ...creds);
  },
  publish(topic: string, payload: Buffer | string, qos: 0 | 1 | 2, messageId = 1, dup = false): Buffer {
    const id = qos > 0 ? [Buffer.from([messageId >> 8, messageId & 255])] : [];
    return packet(0x30 | (dup ? 8 : 0) | (qos << 1), mqttString(topic), ...id, Buffer.from(payload));
  },
  pubrel(messageId: number): Buffer {
    return packet(0x62, Buffer.from([messageId >> 8, messageId & 255]));
  },
  subscribe(topic: string, qos: 0 | 1 | 2, messageId = 1): Buffer {
    return packet(0x82, Buffer.from([messageId >> 8, messageId & 255]), mqttString(topic), Buffer.from([qos]));
  },
};
