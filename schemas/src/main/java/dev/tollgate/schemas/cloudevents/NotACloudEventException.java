package dev.tollgate.schemas.cloudevents;

/** A Kafka record whose headers are not a CloudEvents 1.0 binary-mode event. */
public final class NotACloudEventException extends Exception {
  private static final long serialVersionUID = 1L;

  public NotACloudEventException(String message) {
    super(message);
  }
}
