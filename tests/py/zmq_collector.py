"""A ZMQ flow collector that reads messages as ntopng's ZMQCollectorInterface does.

Usage: zmq_collector.py ENDPOINT connect|bind FLOWS TIMEOUT [CURVE_SECRET_Z85]

Opens a SUB socket (pyzmq, on libzmq) subscribed to ntopng's topics, connects
to or binds ENDPOINT (as CURVE server with the given secret key), and reads
until FLOWS flows and then an `event` message have arrived, or TIMEOUT seconds.
Each message must be exactly two frames. The header is told apart by its
length as ntopng does (24: zmq_msg_hdr_v1, 28: v2, 36: v3, 40: v0); the
version, flags and the leading zero byte of old-style compressed JSON decide
TLV or JSON and compression; msg_id is big-endian, source_id in host order.
Compressed payloads are inflated with zlib into ntopng's buffer sizes (43,690
bytes for old-style, compressed_size + 16 for v3) and fail otherwise. TLV is
read as nDPI's deserializer reads it (ndpi_serializer.c).

Prints one JSON object: flows (objects keyed by element id as a string),
events, every message's (topic, header length, version, flags, msg_id,
source_id), and the per-source gaps ntopng would count as drops.
"""
import json
import struct
import sys
import time
import zlib

import zmq

TOPICS = ["flow", "event", "counter", "template", "option", "hello",
          "listening-ports", "snmp-ifaces", "message"]
MAX_ZMQ_FLOW_BUF = 131072
PAYLOAD_LEN = 131072


def header(h):
    """(topic, version, flags, msg_id, source_id, compressed_size) as ntopng reads them."""
    n = len(h)
    if n == 40:
        topic, version = h[:32], struct.unpack("<I", h[32:36])[0]
        return topic.rstrip(b"\0").decode(), version, 0, 0, 0, 0
    topic = h[:16].rstrip(b"\0").decode()
    version = h[16]
    if n == 24:
        return topic, version, 0, struct.unpack(">I", h[20:24])[0], h[17], 0
    if n == 28:
        return topic, version, 0, struct.unpack(">I", h[20:24])[0], struct.unpack("<I", h[24:28])[0], 0
    if n == 36:
        if version != 4:
            raise SystemExit(f"v3 header with version {version}")
        compressed_size = struct.unpack("<I", h[24:28])[0]
        return (topic, version, h[17], struct.unpack(">I", h[28:32])[0],
                struct.unpack("<I", h[32:36])[0], compressed_size)
    raise SystemExit(f"unsupported header length {n}")


def inflate(data, limit):
    d = zlib.decompressobj()
    out = d.decompress(data, limit)
    if d.unconsumed_tail or not d.eof:
        raise SystemExit(f"payload does not inflate into {limit} bytes")
    return out


def tlv_records(p):
    """The records of an nDPI TLV message, each a dict keyed by str(element id)."""
    if p[:2] != b"\x01\x01":
        raise SystemExit(f"TLV message starts {p[:2]!r}")
    i, records, cur = 2, [], {}

    def uint(t, at):
        size = {2: 1, 3: 2, 4: 4, 5: 8}[t]
        return int.from_bytes(p[at:at + size], "big"), at + size

    while i < len(p):
        t = p[i]
        kt, vt = t >> 4, t & 0xF
        i += 1
        if t == 1:
            records.append(cur)
            cur = {}
            continue
        if kt in (2, 3, 4):
            key, i = uint(kt, i)
            key = str(key)
        elif kt == 11:
            n = int.from_bytes(p[i:i + 2], "big")
            key, i = p[i + 2:i + 2 + n].decode(), i + 2 + n
        else:
            raise SystemExit(f"unsupported TLV key type {kt} at {i - 1}")
        if vt in (2, 3, 4, 5):
            v, i = uint(vt, i)
        elif vt == 10:
            v, i = struct.unpack("<f", p[i:i + 4])[0], i + 4
        elif vt == 11:
            n = int.from_bytes(p[i:i + 2], "big")
            v, i = p[i + 2:i + 2 + n].decode(), i + 2 + n
        else:
            raise SystemExit(f"unsupported TLV value type {vt} at {i - 1}")
        cur[key] = v
    if cur:
        raise SystemExit("TLV record without its end byte")
    return records


def main():
    endpoint, mode, want, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    ctx = zmq.Context()
    s = ctx.socket(zmq.SUB)
    if len(sys.argv) > 5:
        s.curve_server = True
        s.curve_secretkey = sys.argv[5].encode()
    s.setsockopt(zmq.RCVBUF, 8388608)
    for t in TOPICS:
        s.setsockopt(zmq.SUBSCRIBE, t.encode())
    (s.connect if mode == "connect" else s.bind)(endpoint)
    print("ready", file=sys.stderr, flush=True)
    flows, events, messages, last, gaps = [], [], [], {}, {}
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not s.poll(200):
            continue
        frames = s.recv_multipart()
        if len(frames) != 2:
            raise SystemExit(f"message of {len(frames)} frames")
        h, p = frames
        if len(p) > PAYLOAD_LEN:
            raise SystemExit("payload over ntopng's 131072 bytes")
        topic, version, flags, msg_id, source, csize = header(h)
        messages.append([topic, len(h), version, flags, msg_id, source])
        if source in last and msg_id != last[source] + 1 and msg_id > last[source]:
            gaps[source] = gaps.get(source, 0) + msg_id - last[source] - 1
        last[source] = msg_id
        tlv, compressed = False, False
        if len(h) == 36:
            tlv, compressed = bool(flags & 0x02), bool(flags & 0x04)
        elif version == 3:
            tlv = True
        elif p[:1] == b"\0":
            compressed = True
        if compressed:
            if len(h) == 36:
                p = inflate(p, csize + 16)
            else:
                p = inflate(p[1:], min(max(10 * len(p), MAX_ZMQ_FLOW_BUF), MAX_ZMQ_FLOW_BUF // 3))
        if topic == "flow":
            if tlv:
                flows.extend(tlv_records(p))
            else:
                v = json.loads(p)
                flows.extend(v if isinstance(v, list) else [v])
        elif topic == "event":
            events.append(json.loads(p))
            if len(flows) >= want:
                break
    json.dump({"flows": flows, "events": events, "messages": messages,
               "gaps": {str(k): v for k, v in gaps.items()}}, sys.stdout)


if __name__ == "__main__":
    main()
