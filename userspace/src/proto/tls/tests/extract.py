#!/usr/bin/env python3
"""Extracts TLS stream payloads from corpus captures with tshark (an
independent TCP reassembler) and the expected values the tests compare with.

  extract.py sweep OUT.jsonl          every TLS stream of the corpus
  extract.py fixture PCAP STREAM MAX  one stream as a fixture file on stdout,
                                      each direction cut after MAX bytes

Fixture format: '#' comment lines, then one line per TCP segment payload:
'>' (sent by tshark's node 0, the connection's initiator) or '<', a space, hex.
"""
import json, os, re, subprocess, sys

CORPUS = os.environ.get("SLUICE_CORPUS", "/work/shared/corpus")

def tshark(*args):
    return subprocess.run(["tshark", *args], capture_output=True, text=True).stdout

def follow(pcap, streams):
    """{stream: (node0, node1, [(outbound, hex)])} for the given streams."""
    args = ["-r", pcap, "-q"]
    for s in streams:
        args += ["-z", f"follow,tcp,raw,{s}"]
    out, cur = {}, None
    for line in tshark(*args).splitlines():
        m = re.match(r"Filter: tcp.stream eq (\d+)", line)
        if m:
            cur = int(m.group(1)); out[cur] = ["", "", []]; continue
        if cur is None or line.startswith("===") or line.startswith("Follow:"):
            continue
        m = re.match(r"Node (\d): (.*)", line)
        if m:
            out[cur][int(m.group(1))] = m.group(2); continue
        if line.startswith("\t"):
            out[cur][2].append(("<", line.strip()))
        elif line.strip():
            out[cur][2].append((">", line.strip()))
    return out

def ndpi_flows(name):
    path = os.path.join(CORPUS, "expected/ndpi", os.path.basename(name) + ".out")
    flows = {}
    if not os.path.exists(path):
        return flows
    for line in open(path, errors="replace"):
        m = re.match(r"\s*\d+\s+TCP\s+(\S+)\s+<->\s+(\S+)\s", line)
        if not m:
            continue
        key = frozenset([m.group(1), m.group(2)])
        f = {}
        for k, tag in (("ja4", "JA4"), ("ja3c", "JA3C"), ("sni", "Hostname/SNI")):
            mm = re.search(r"\[" + re.escape(tag) + r": ([^\]]*)\]", line)
            if mm:
                f[k] = mm.group(1)
        flows.setdefault(key, f)
    return flows

def sweep(out_path):
    rows = 0
    with open(out_path, "w") as out:
        for line in open(os.path.join(CORPUS, "MANIFEST.tsv")):
            rel = line.split("\t")[0]
            if rel == "file" or "tls" not in line.split("\t")[-1]:
                continue
            pcap = os.path.join(CORPUS, rel)
            ref = json.load(open(os.path.join(CORPUS, "reference", rel + ".json")))
            if not ref.get("tls_hello"):
                continue
            fr = tshark("-r", pcap, "-Y", "tls.handshake.type==1 || tls.handshake.type==2",
                        "-T", "fields", "-e", "frame.number", "-e", "tcp.stream")
            f2s = {}
            for l in fr.splitlines():
                p = l.split("\t")
                if len(p) == 2 and p[1]:
                    f2s[int(p[0])] = int(p[1].split(",")[0])
            streams = sorted(set(f2s.values()))
            if not streams:
                continue
            exp = {s: {"ja3": [], "ja3s": [], "sni": []} for s in streams}
            for e in ref.get("tls_fingerprints", []):
                s = f2s.get(e["frame"])
                if s is not None:
                    exp[s]["ja3"] += e["ja3"]; exp[s]["ja3s"] += e["ja3s"]
            for e in ref.get("tls_sni", []):
                s = f2s.get(e["frame"])
                if s is not None:
                    exp[s]["sni"].append(e["sni"])
            nd = ndpi_flows(rel)
            for i in range(0, len(streams), 40):
                for s, (n0, n1, chunks) in follow(pcap, streams[i:i + 40]).items():
                    row = {"file": rel, "stream": s, "client": n0, "server": n1,
                           "chunks": chunks, **exp.get(s, {})}
                    row["ndpi"] = nd.get(frozenset([n0, n1]), {})
                    out.write(json.dumps(row) + "\n"); rows += 1
    print(f"{rows} streams", file=sys.stderr)

def fixture(pcap, stream, cap):
    n0, n1, chunks = follow(os.path.join(CORPUS, pcap), [int(stream)])[int(stream)]
    print(f"# {pcap} tcp stream {stream}: {n0} -> {n1}")
    print("# payload extracted with: tshark -q -z follow,tcp,raw," + stream + ", each direction cut after " + cap + " bytes")
    used = {">": 0, "<": 0}
    for d, h in chunks:
        if used[d] >= int(cap):
            continue
        used[d] += len(h) // 2
        print(d, h)

if __name__ == "__main__":
    if sys.argv[1] == "sweep":
        sweep(sys.argv[2])
    else:
        fixture(*sys.argv[2:5])
