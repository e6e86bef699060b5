"""Reads a Kafka topic from the beginning with confluent-kafka (librdkafka 2.16).

Usage: kafka_consume.py BROKERS TOPIC EXPECTED TIMEOUT

Consumes every partition from the earliest offset until EXPECTED messages
have arrived and then two more seconds pass without another (so extra,
duplicated messages are seen too), or TIMEOUT seconds. Prints one JSON list
of [partition, key, value] (key and value as text), in arrival order.
"""
import json
import sys
import time

from confluent_kafka import Consumer


def main():
    brokers, topic, want, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    c = Consumer({
        "bootstrap.servers": brokers,
        "group.id": f"sluice-test-{time.time_ns()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    c.subscribe([topic])
    got, deadline, quiet_since = [], time.time() + timeout, None
    while time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            if len(got) >= want and quiet_since and time.time() - quiet_since > 2:
                break
            continue
        if m.error():
            print(f"consumer: {m.error()}", file=sys.stderr)
            continue
        got.append([m.partition(), (m.key() or b"").decode(), (m.value() or b"").decode()])
        quiet_since = time.time()
    c.close()
    json.dump(got, sys.stdout)


if __name__ == "__main__":
    main()
