package dev.tollgate.gateway.redeliver;

import java.time.Instant;

/** One row of GitHub's delivery list. */
record HookDelivery(long id, String guid, Instant deliveredAt, int statusCode, boolean redelivery) {
  boolean succeeded() {
    return statusCode >= 200 && statusCode < 300;
  }
}
