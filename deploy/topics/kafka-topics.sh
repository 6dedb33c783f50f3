#!/usr/bin/env bash
# Creates Tollgate's topics with Kafka's own kafka-topics tool, for clusters without Strimzi.
# The same settings as topics.yaml. Idempotent (--if-not-exists).
#   KAFKA_BOOTSTRAP_SERVERS=broker:9092 ./kafka-topics.sh [--command-config client.properties]
# KAFKA_TOPICS names the tool if it is not kafka-topics.sh on the PATH.
set -euo pipefail
bootstrap=${KAFKA_BOOTSTRAP_SERVERS:?set KAFKA_BOOTSTRAP_SERVERS to the brokers, host:port[,host:port]}
tool=${KAFKA_TOPICS:-kafka-topics.sh}
replicas=${TOLLGATE_TOPIC_REPLICAS:-3}
min_isr=${TOLLGATE_TOPIC_MIN_ISR:-2}

create() {
  local name=$1 partitions=$2
  shift 2
  echo "kafka-topics: $name ($partitions partitions, replication $replicas)"
  "$tool" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "$replicas" \
    --config "min.insync.replicas=$min_isr" "$@" "${extra[@]}"
}

extra=("${@}")
# The event topics: 12 partitions, keyed by trigger id (rejections: by source), so they spread over
# up to 12 replicas of each consumer and no repository is a hot partition (topics.yaml says why).
for t in triggers rejections decisions runs; do
  create "tollgate.$t.v1" 12 --config retention.ms=604800000 --config cleanup.policy=delete
done
# The verifier's /ok-to-test approvals: the latest approved head SHA per pull request, kept by
# compaction.
create tollgate.approvals.v1 3 --config cleanup.policy=compact
# The gateways' accepted deliveries (trigger id -> body digest), compacted, kept three days.
create tollgate.deliveries.v1 3 --config cleanup.policy=compact,delete --config retention.ms=259200000
# The gateways' coordination topic: one partition (one leader), the last tick of each schedule.
create tollgate.schedules.v1 1 --config cleanup.policy=compact
# The ledger: one partition (one hash chain), never compacted, never expired.
create tollgate.ledger.v1 1 --config retention.ms=-1 --config retention.bytes=-1 \
  --config max.message.bytes=4194304 --config cleanup.policy=delete
