// kobject uevents: kernel text events and udev's envelope; live events from the kernel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dial } from '../src/index.js';
import { decodeUevent } from '../src/model/uevent.js';
import { createNetns, type Netns } from './helpers/netns.js';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('decodeUevent', () => {
  it('reads the kernel form: ACTION@DEVPATH then KEY=VALUE pairs', () => {
    const ev = decodeUevent(enc('add@/devices/virtual/net/veth0\0ACTION=add\0DEVPATH=/devices/virtual/net/veth0\0SUBSYSTEM=net\0INTERFACE=veth0\0IFINDEX=7\0SEQNUM=1234\0'));
    expect(ev).toMatchObject({ source: 'kernel', action: 'add', devpath: '/devices/virtual/net/veth0', malformed: [] });
    expect(ev.env).toEqual({ ACTION: 'add', DEVPATH: '/devices/virtual/net/veth0', SUBSYSTEM: 'net', INTERFACE: 'veth0', IFINDEX: '7', SEQNUM: '1234' });
  });

  it("reads udev's envelope (magic big-endian, properties by offset)", () => {
    const props = enc('ACTION=change\0DEVPATH=/devices/x\0SUBSYSTEM=block\0');
    const head = new Uint8Array(40);
    head.set(enc('libudev\0'));
    const v = new DataView(head.buffer);
    v.setUint32(8, 0xfeedcafe, false);
    v.setUint32(12, 40, true);
    v.setUint32(16, 40, true);
    v.setUint32(20, props.length, true);
    v.setUint32(24, 0x1234, true);
    const ev = decodeUevent(new Uint8Array([...head, ...props]));
    expect(ev).toMatchObject({ source: 'udev', action: 'change', devpath: '/devices/x', malformed: [] });
    expect(ev.udev).toMatchObject({ magic: 0xfeedcafe, propertiesOffset: 40, subsystemHash: 0x1234 });
  });

  it('annotates what is malformed instead of failing', () => {
    expect(decodeUevent(new Uint8Array(0)).malformed).toEqual(['empty datagram']);
    expect(decodeUevent(enc('garbage\0KEY\0A=b\0')).malformed).toHaveLength(3);
    const short = decodeUevent(enc('libudev\0abc'));
    expect(short.malformed[0]).toMatch(/shorter/);
  });

  it('never throws on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (b, udev) => {
        const data = udev ? new Uint8Array([...enc('libudev\0'), ...b]) : b;
        const ev = decodeUevent(data);
        expect(Array.isArray(ev.malformed)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('live uevents', () => {
  // Made in beforeAll, not while collecting: a run that filters these tests out makes none.
  let ns: Netns;
  beforeAll(() => {
    ns = createNetns('nlctl-uevent');
  });
  afterAll(() => ns?.destroy());

  it('receives the kernel event for a new veth as raw datagrams', async () => {
    // Uevents of network devices go to the namespace that owns the device.
    const c = dial(15, { netns: ns.name, groups: 1 });
    try {
      ns.exec('ip link add nlu0 type veth peer name nlu1');
      const seen: string[] = [];
      const deadline = Date.now() + 5000;
      while (!seen.includes('nlu0') && Date.now() < deadline) {
        const d = await c.receiveDatagram({ timeout: 5000 });
        expect(d.messages).toEqual([]);
        const ev = decodeUevent(d.data);
        expect(ev.malformed).toEqual([]);
        if (ev.env.SUBSYSTEM === 'net' && ev.action === 'add' && ev.env.INTERFACE) seen.push(ev.env.INTERFACE);
      }
      expect(seen).toContain('nlu0');
    } finally {
      c.close();
    }
  });
});
