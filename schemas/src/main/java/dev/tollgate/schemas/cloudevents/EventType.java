package dev.tollgate.schemas.cloudevents;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.RejectionEvent;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.Arrays;
import java.util.Optional;

/** Every event Tollgate puts on Kafka: its CloudEvents type, default topic, schema and record. */
public enum EventType {
  TRIGGER("dev.tollgate.trigger.v1", "tollgate.triggers.v1", "trigger.v1", TriggerEvent.class),
  REJECTION(
      "dev.tollgate.rejection.v1", "tollgate.rejections.v1", "rejection.v1", RejectionEvent.class),
  DECISION("dev.tollgate.decision.v1", "tollgate.decisions.v1", "decision.v1", DecisionEvent.class),
  RUN("dev.tollgate.run.v1", "tollgate.runs.v1", "run.v1", RunEvent.class),
  LEDGER_RECORD(
      "dev.tollgate.ledger.record.v1",
      "tollgate.ledger.v1",
      "ledger-record.v1",
      LedgerRecord.class);

  private final String ceType;
  private final String defaultTopic;
  private final String schemaName;
  private final Class<?> recordType;

  EventType(String ceType, String defaultTopic, String schemaName, Class<?> recordType) {
    this.ceType = ceType;
    this.defaultTopic = defaultTopic;
    this.schemaName = schemaName;
    this.recordType = recordType;
  }

  /** The CloudEvents {@code type} attribute. */
  public String ceType() {
    return ceType;
  }

  /** The topic it goes to unless configured otherwise. */
  public String defaultTopic() {
    return defaultTopic;
  }

  /** Classpath resource of its JSON Schema. */
  public String schemaResource() {
    return "/dev/tollgate/schemas/" + schemaName + ".schema.json";
  }

  /** The schema's short name, also the prefix of its examples in {@code schemas/examples/}. */
  public String schemaName() {
    return schemaName;
  }

  /** The Java record that mirrors the schema. */
  public Class<?> recordType() {
    return recordType;
  }

  /** The event type with this CloudEvents type, if it is one of ours. */
  public static Optional<EventType> ofCeType(String ceType) {
    return Arrays.stream(values()).filter(t -> t.ceType.equals(ceType)).findFirst();
  }
}
