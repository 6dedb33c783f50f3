#!/usr/bin/env bash
# Grants each Tollgate component least-privilege ACLs with Kafka's own kafka-acls tool, for clusters
# without Strimzi (with Strimzi, deploy/users/kafka-users.yaml holds the same ACLs; the manifests
# test checks that both agree, and deploy/kafka's SecuredBrokerTest applies this script to a broker
# with StandardAuthorizer). Needs a broker with an authorizer and authenticated listeners, and an
# admin's client settings. Adding an ACL that exists is a no-op, so the script is idempotent.
#   KAFKA_BOOTSTRAP_SERVERS=broker:9093 ./kafka-acls.sh --command-config admin.properties
# KAFKA_ACLS names the tool if it is not kafka-acls.sh on the PATH. The principals default to the
# SCRAM user names (User:tollgate-gateway, ...); with mTLS, set TOLLGATE_KAFKA_PRINCIPAL_GATEWAY
# (and _VERIFIER, _LEDGER, _AUDITOR) to the certificates' principals (User:CN=tollgate-gateway).
set -euo pipefail
bootstrap=${KAFKA_BOOTSTRAP_SERVERS:?set KAFKA_BOOTSTRAP_SERVERS to the brokers, host:port[,host:port]}
tool=${KAFKA_ACLS:-kafka-acls.sh}
gateway=${TOLLGATE_KAFKA_PRINCIPAL_GATEWAY:-User:tollgate-gateway}
verifier=${TOLLGATE_KAFKA_PRINCIPAL_VERIFIER:-User:tollgate-verifier}
ledger=${TOLLGATE_KAFKA_PRINCIPAL_LEDGER:-User:tollgate-ledger}
auditor=${TOLLGATE_KAFKA_PRINCIPAL_AUDITOR:-User:tollgate-auditor}
extra=("${@}")

# allow PRINCIPAL RESOURCE-OPTION NAME OPERATION... (kafka-acls' --topic, --group,
# --transactional-id; a trailing * on NAME makes it a prefixed resource)
allow() {
  local principal=$1 resource=$2 name=$3
  shift 3
  local pattern=(--resource-pattern-type literal)
  if [[ $name == *'*' ]]; then
    name=${name%'*'}
    pattern=(--resource-pattern-type prefixed)
  fi
  local operations=()
  for op in "$@"; do
    operations+=(--operation "$op")
  done
  echo "kafka-acls: $principal may $* on ${resource#--} $name (${pattern[1]})"
  "$tool" --bootstrap-server "$bootstrap" "${extra[@]}" --add --allow-principal "$principal" \
    "$resource" "$name" "${pattern[@]}" "${operations[@]}"
}

# The gateway only writes triggers and rejections, and keeps the journal of accepted deliveries
# (read without a group: every replica reads all of it).
allow "$gateway" --topic tollgate.triggers.v1 Write Describe
allow "$gateway" --topic tollgate.rejections.v1 Write Describe
allow "$gateway" --topic tollgate.deliveries.v1 Read Write Describe
# Reporting decisions on commits: triggers, decisions and run events read in the gateway's own
# group (one replica reports each), and triggers read without a group (every replica learns their
# commits).
allow "$gateway" --topic tollgate.triggers.v1 Read
allow "$gateway" --topic tollgate.decisions.v1 Read Describe
allow "$gateway" --topic tollgate.runs.v1 Read Describe
# The ledger's seq of each decision, shown on its check: the ledger topic read without a group
# (the one partition assigned; nothing committed).
allow "$gateway" --topic tollgate.ledger.v1 Read Describe
# Leadership among the gateway replicas (schedules, redelivery): the member of the group
# tollgate-gateway assigned the coordination topic's one partition leads.
allow "$gateway" --topic tollgate.schedules.v1 Read Write Describe
# Two groups, each used by one kind of consumer (their assignors and subscriptions differ): the
# leadership group and the group whose members share the reporting on commits.
allow "$gateway" --group tollgate-gateway-leader Read
allow "$gateway" --group tollgate-gateway-checks Read

# The verifier reads triggers in its own group, writes decisions, and keeps the approvals journal
# (read without a group: every replica reads all of it).
allow "$verifier" --topic tollgate.triggers.v1 Read Describe
allow "$verifier" --group tollgate-verifier Read
allow "$verifier" --topic tollgate.decisions.v1 Write Describe
allow "$verifier" --topic tollgate.approvals.v1 Read Write Describe

# The ledger reads every source topic in its own group, writes run events (its run watch) and the
# ledger itself, in transactions under its own transactional id (tollgate-ledger-writer.<topic>).
allow "$ledger" --topic tollgate.triggers.v1 Read Describe
allow "$ledger" --topic tollgate.rejections.v1 Read Describe
allow "$ledger" --topic tollgate.decisions.v1 Read Describe
allow "$ledger" --topic tollgate.runs.v1 Read Write Describe
allow "$ledger" --topic tollgate.ledger.v1 Read Write Describe
allow "$ledger" --group tollgate-ledger Read
allow "$ledger" --transactional-id 'tollgate-ledger-writer.*' Write Describe

# Auditors only read the ledger (without a group).
allow "$auditor" --topic tollgate.ledger.v1 Read Describe
