"""Checks Sluice's `community_id` members against the reference implementation.

Reads JSON lines (Sluice flow records) on stdin; for each record computes the
Community ID with corelight's `communityid` package (PyPI) from the record's
own fields (sa, da, pr, sp, dp, icmp_type, icmp_code) and the seed given as
the only argument. Prints one JSON object: records checked, records per
protocol number, and every mismatch (at most 20).
"""
import json
import sys

import communityid


def reference(cid, r):
    pr = r["pr"]
    if pr == 6:
        t = communityid.FlowTuple.make_tcp(r["sa"], r["da"], r["sp"], r["dp"])
    elif pr == 17:
        t = communityid.FlowTuple.make_udp(r["sa"], r["da"], r["sp"], r["dp"])
    elif pr == 132:
        t = communityid.FlowTuple.make_sctp(r["sa"], r["da"], r["sp"], r["dp"])
    elif pr == 1:
        t = communityid.FlowTuple.make_icmp(r["sa"], r["da"], r["icmp_type"], r["icmp_code"])
    elif pr == 58:
        t = communityid.FlowTuple.make_icmp6(r["sa"], r["da"], r["icmp_type"], r["icmp_code"])
    else:
        t = communityid.FlowTuple(pr, r["sa"], r["da"])
    return cid.calc(t)


def main():
    cid = communityid.CommunityID(int(sys.argv[1]))
    checked, by_proto, mismatches = 0, {}, []
    for line in sys.stdin:
        r = json.loads(line)
        want = reference(cid, r)
        got = r.get("community_id")
        checked += 1
        by_proto[r["pr"]] = by_proto.get(r["pr"], 0) + 1
        if got != want and len(mismatches) < 20:
            mismatches.append({"record": r, "want": want, "got": got})
    json.dump({"checked": checked, "by_proto": by_proto, "mismatches": mismatches}, sys.stdout)


if __name__ == "__main__":
    main()
