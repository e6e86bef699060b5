"""Scrapes a Sluice `/metrics` endpoint and parses it with an independent parser.

Usage: scrape_metrics.py URL

Fetches URL, checks the content type is OpenMetrics text, and parses the body
with `prometheus_client`'s strict OpenMetrics parser (it raises on anything
the format forbids, including a missing `# EOF`). Prints one JSON object:
{"families": {name: type}, "samples": [[sample name, {labels}, value], ...]}.
"""
import json
import sys
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def main():
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        ctype = r.headers.get("Content-Type", "")
        body = r.read().decode("utf-8")
    if not ctype.startswith("application/openmetrics-text"):
        raise SystemExit(f"content type {ctype!r}")
    families, samples = {}, []
    for fam in text_string_to_metric_families(body):
        families[fam.name] = fam.type
        for s in fam.samples:
            samples.append([s.name, s.labels, s.value])
    json.dump({"families": families, "samples": samples}, sys.stdout)


if __name__ == "__main__":
    main()
