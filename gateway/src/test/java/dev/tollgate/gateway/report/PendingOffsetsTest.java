package dev.tollgate.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PendingOffsetsTest {

  private static final TopicPartition TRIGGERS = new TopicPartition("tollgate.triggers.v1", 0);
  private static final TopicPartition DECISIONS = new TopicPartition("tollgate.decisions.v1", 2);

  @Test
  void toCommit_oldestReportStillOpen_commitsOnlyUpToIt() {
    PendingOffsets offsets = new PendingOffsets();
    offsets.started(TRIGGERS, 5);
    offsets.started(TRIGGERS, 6);
    offsets.started(TRIGGERS, 7);

    offsets.ended(TRIGGERS, 6);
    offsets.ended(TRIGGERS, 7);

    assertThat(offsets.toCommit()).isEqualTo(Map.of(TRIGGERS, 5L));
    offsets.ended(TRIGGERS, 5);
    assertThat(offsets.toCommit()).isEqualTo(Map.of(TRIGGERS, 8L));
    assertThat(offsets.toCommit()).isEmpty();
    assertThat(offsets.open()).isZero();
  }

  @Test
  void toCommit_partitionsApart_eachUpToItsOwnOldestOpen() {
    PendingOffsets offsets = new PendingOffsets();
    offsets.started(TRIGGERS, 10);
    offsets.started(DECISIONS, 3);
    offsets.ended(DECISIONS, 3);

    assertThat(offsets.toCommit()).isEqualTo(Map.of(TRIGGERS, 10L, DECISIONS, 4L));
  }

  @Test
  void revoke_partitionWithOpenReport_returnsItsOldestOpenAndForgetsIt() {
    PendingOffsets offsets = new PendingOffsets();
    offsets.started(TRIGGERS, 10);
    offsets.started(TRIGGERS, 11);
    offsets.ended(TRIGGERS, 11);

    assertThat(offsets.revoke(TRIGGERS)).isEqualTo(10);
    // A report ending after its partition moved commits nothing here.
    offsets.ended(TRIGGERS, 10);
    assertThat(offsets.toCommit()).isEmpty();
  }

  @Test
  void uncommitted_failedCommit_isOfferedAgain() {
    PendingOffsets offsets = new PendingOffsets();
    offsets.started(TRIGGERS, 1);
    offsets.ended(TRIGGERS, 1);
    assertThat(offsets.toCommit()).isEqualTo(Map.of(TRIGGERS, 2L));

    offsets.uncommitted(List.of(TRIGGERS));

    assertThat(offsets.toCommit()).isEqualTo(Map.of(TRIGGERS, 2L));
  }
}
