package dev.tollgate.verifier.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Which approvals are recorded: only those the gateway bound to the trigger's head. */
class ApprovalsTest {
  private static final String HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

  @Test
  void record_approvalBoundToHead_coversThatHead() throws Exception {
    Approvals approvals = new Approvals();
    TriggerEvent bound = trigger("ok-to-test-sha");

    approvals.record(bound);

    assertThat(Approvals.binds(bound)).isTrue();
    assertThat(approvals.approvedSha(bound)).contains(HEAD);
  }

  @Test
  void record_approvalTheGatewayRefused_recordsNothing() throws Exception {
    for (String fixture :
        new String[] {
          "approval-not-bound-head-moved",
          "approval-not-bound-updated-after-comment",
          "approval-sha-not-head-unrefused"
        }) {
      Approvals approvals = new Approvals();
      TriggerEvent refused = trigger(fixture);

      approvals.record(refused);

      assertThat(Approvals.binds(refused)).as(fixture).isFalse();
      assertThat(approvals.approvedSha(refused)).as(fixture).isEmpty();
    }
  }

  @Test
  void record_refusedAfterABoundOne_keepsTheBoundOne() throws Exception {
    Approvals approvals = new Approvals();
    approvals.record(trigger("ok-to-test-sha"));

    approvals.record(trigger("approval-not-bound-updated-after-comment"));

    assertThat(approvals.approvedSha(trigger("ok-to-test-sha"))).contains(HEAD);
  }

  private static TriggerEvent trigger(String fixture) throws Exception {
    try (InputStream in =
        ApprovalsTest.class.getResourceAsStream("/decisions/" + fixture + "/trigger.json")) {
      return Json.read(in.readAllBytes(), TriggerEvent.class);
    }
  }
}
