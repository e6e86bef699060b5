#!/usr/bin/env python3
"""Dev-time corpus sweep input for the DNS and HTTP feature parsers.

For every capture whose tshark reference (reference/<folder>/<file>.json) has
`dns` or `http` entries, writes one JSON line per UDP datagram and per TCP
stream that carries them, with tshark as the independent reassembler:

  {"file", "kind":"udp", "frame", "payload": hex, "dns": ref|null, "http": ref|null}
  {"file", "kind":"tcp", "stream", "chunks": [[outbound, hex], ...],
   "dns": [ref...], "http": [ref...]}

UDP payloads come from `tshark -T fields -E occurrence=l -e udp.payload` (the
innermost UDP header, so VXLAN-tunnelled DNS is seen decapsulated); TCP streams from
`tshark -q -z follow,tcp,raw,N` (node 0, the side that sent first, is
"outbound"; chunk boundaries are tshark's segments; tshark's "[N bytes missing
in capture file]" gap markers are dropped). Reference entries of flows
keyed on ICMP (quoted in ICMP errors) are skipped. The Rust side is the
ignored tests `features::dns::tests::corpus_sweep` and
`features::http::tests::corpus_sweep`:

  python3 scripts/dns_http_sweep.py [CORPUS] [OUT]   # default OUT target/sweep/dns_http.jsonl
  SLUICE_SWEEP=target/sweep/dns_http.jsonl cargo test -p sluice --no-default-features \
      --lib corpus_sweep -- --ignored --nocapture
"""
import glob, json, os, subprocess, sys

corpus = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SLUICE_CORPUS", "/work/shared/corpus")
out = sys.argv[2] if len(sys.argv) > 2 else "target/sweep/dns_http.jsonl"


def tshark(args):
    p = subprocess.run(["tshark", "-n"] + args, capture_output=True, text=True, errors="replace")
    return p.stdout


def follow(path, streams):
    """Each stream's chunks, in tshark's order: [(outbound, hex)]."""
    res = {}
    streams = sorted(streams)
    for i in range(0, len(streams), 40):
        batch = streams[i:i + 40]
        args = ["-r", path, "-q"]
        for s in batch:
            args += ["-z", "follow,tcp,raw,%d" % s]
        text = tshark(args)
        cur = None
        for line in text.split("\n"):
            if line.startswith("Filter: tcp.stream eq "):
                cur = int(line.split()[-1])
                res[cur] = []
            elif cur is None or not line or line.startswith(("=", "Follow:", "Node ")):
                continue
            elif "bytes missing in capture file]" in bytes.fromhex(line.strip() or "00")[:64].decode("latin-1"):
                continue  # tshark's marker for a capture gap, not stream bytes
            elif line.startswith("\t"):
                res[cur].append([False, line.strip()])
            else:
                res[cur].append([True, line.strip()])
    return res


def main():
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    n_udp = n_tcp = 0
    with open(out, "w") as fh:
        for ref_path in sorted(glob.glob(os.path.join(corpus, "reference", "*", "*.json"))):
            ref = json.load(open(ref_path))
            entries = [("dns", e) for e in ref.get("dns", [])] + [("http", e) for e in ref.get("http", [])]
            entries = [(k, e) for k, e in entries if e["flow"].split(" ")[0] in ("6", "17")]
            if not entries:
                continue
            rel = os.path.relpath(ref_path, os.path.join(corpus, "reference"))[:-len(".json")]
            pcap = os.path.join(corpus, rel)
            frames = {}
            text = tshark(["-r", pcap, "-T", "fields", "-E", "occurrence=l", "-e", "frame.number",
                           "-e", "tcp.stream", "-e", "udp.payload",
                           "-Y", "dns or mdns or llmnr or http or ssdp"])
            for line in text.split("\n"):
                parts = line.split("\t")
                if len(parts) == 3 and parts[0]:
                    frames[int(parts[0])] = (parts[1], parts[2])
            udp, tcp = {}, {}
            for kind, e in entries:
                stream, payload = frames.get(e["frame"], ("", ""))
                if e["flow"].startswith("17 "):
                    d = udp.setdefault(e["frame"], {"file": rel, "kind": "udp", "frame": e["frame"],
                                                    "flow": e["flow"], "payload": payload,
                                                    "dns": None, "http": None})
                    d[kind] = e
                elif stream:
                    d = tcp.setdefault(int(stream), {"file": rel, "kind": "tcp", "stream": int(stream),
                                                     "flow": e["flow"], "dns": [], "http": []})
                    d[kind].append(e)
            if tcp:
                for s, chunks in follow(pcap, tcp.keys()).items():
                    if s in tcp:
                        tcp[s]["chunks"] = chunks
            for d in list(udp.values()) + list(tcp.values()):
                fh.write(json.dumps(d) + "\n")
            n_udp += len(udp)
            n_tcp += len(tcp)
    print("wrote %s: %d UDP datagrams, %d TCP streams" % (out, n_udp, n_tcp))


main()
