"""Prints every ScoreChanged the stack publishes on RabbitMQ, with any AMQP client (here pika).

    python3 examples/score_changes.py amqp://guest:PASSWORD@127.0.0.1:PORT [--count N]

Binds a queue of its own to the fanout exchange CommunityEvals.Contracts:ScoreChanged and reads the
message out of MassTransit's JSON envelope. --count N stops after N changes.
"""
import json
import sys

import pika

uri = sys.argv[1]
count = int(sys.argv[sys.argv.index("--count") + 1]) if "--count" in sys.argv else None

channel = pika.BlockingConnection(pika.URLParameters(uri)).channel()
queue = channel.queue_declare("", exclusive=True).method.queue
channel.queue_bind(queue, "CommunityEvals.Contracts:ScoreChanged")
print("listening", flush=True)
for seen, (_, _, body) in enumerate(channel.consume(queue, auto_ack=True), start=1):
    change = json.loads(body)["message"]
    print(change["modelId"], change["taskId"], change["previousValue"], "->", change["value"], flush=True)
    if count is not None and seen >= count:
        break
