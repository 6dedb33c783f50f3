package dev.tollgate.deploy.kafka;

import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topics Tollgate needs on a one-node broker. The event topics have {@link #EVENT_PARTITIONS}
 * partitions; the ledger topic has exactly one (one partition is one chain), is never compacted and
 * never expires.
 */
public final class TollgateTopics {

  /** Largest ledger record the local broker accepts: the ledger writer's own limit. */
  public static final int LEDGER_MAX_MESSAGE_BYTES = LedgerRecord.MAX_BYTES;

  /**
   * Partitions of each event topic but the ledger's, as in deploy/topics: triggers are keyed by
   * trigger id, so they spread over all of them, and a consumer group over up to this many
   * replicas.
   */
  public static final int EVENT_PARTITIONS = 12;

  private TollgateTopics() {}

  /**
   * The verifier's {@code /ok-to-test} approvals: compacted, keyed by pull request, the latest
   * approved head SHA of each kept for good. Not an event topic: only the verifier reads it.
   */
  public static final String APPROVALS = "tollgate.approvals.v1";

  /**
   * The gateways' accepted deliveries: compacted, keyed by trigger id, the body digest of each;
   * every gateway replica reads it whole. Not an event topic: only the gateway reads it.
   */
  public static final String DELIVERIES = "tollgate.deliveries.v1";

  /**
   * The gateways' coordination topic: one partition, whose assigned member of the gateways'
   * consumer group leads (runs the schedules and the redelivery job), compacted, keyed by schedule,
   * the last tick each accounted for. Not an event topic: only the gateway reads it.
   */
  public static final String SCHEDULES = "tollgate.schedules.v1";

  /** Every Tollgate topic with its default name. */
  public static List<NewTopic> all() {
    List<NewTopic> all =
        new java.util.ArrayList<>(
            Arrays.stream(EventType.values()).map(TollgateTopics::topic).toList());
    all.add(approvals(APPROVALS));
    all.add(deliveries(DELIVERIES));
    all.add(schedules(SCHEDULES));
    return List.copyOf(all);
  }

  /** The approvals topic under {@code name}. */
  public static NewTopic approvals(String name) {
    return new NewTopic(name, 3, (short) 1)
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /**
   * The deliveries topic under {@code name}: compacted, and kept three days as in deploy/topics.
   */
  public static NewTopic deliveries(String name) {
    return new NewTopic(name, 3, (short) 1)
        .configs(
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG,
                Long.toString(Duration.ofDays(3).toMillis())));
  }

  /** The schedules topic under {@code name}: one partition (one leader), compacted. */
  public static NewTopic schedules(String name) {
    return new NewTopic(name, 1, (short) 1)
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /** One topic definition, with the event type's default name. */
  public static NewTopic topic(EventType type) {
    return topic(type, type.defaultTopic());
  }

  /** One topic definition, under another name (tests use their own names). */
  public static NewTopic topic(EventType type, String name) {
    if (type == EventType.LEDGER_RECORD) {
      return new NewTopic(name, 1, (short) 1)
          .configs(
              Map.of(
                  TopicConfig.CLEANUP_POLICY_CONFIG,
                  TopicConfig.CLEANUP_POLICY_DELETE,
                  TopicConfig.RETENTION_MS_CONFIG,
                  "-1",
                  TopicConfig.RETENTION_BYTES_CONFIG,
                  "-1",
                  TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                  Integer.toString(LEDGER_MAX_MESSAGE_BYTES)));
    }
    return new NewTopic(name, EVENT_PARTITIONS, (short) 1);
  }
}
