package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.deploy.kafka.TollgateTopics;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventPublicKey;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.schemas.signing.EventSignatures.Invalid;
import dev.tollgate.schemas.signing.EventSignatures.UnknownKey;
import dev.tollgate.schemas.signing.EventSignatures.Verified;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The gateway signs what it writes: triggers and rejections read back from the broker verify under
 * the gateway's public key, and only under it; a byte changed or a header swapped no longer
 * verifies. A delivery journal record it did not sign is ignored.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class SignedEventsTest extends WebhookRouteTestSupport {

  private static final Path OTHER_PUBLIC_KEY = Fixtures.testResource(Fixtures.OTHER_PUBLIC_KEY);

  @Test
  void emit_signedDelivery_triggerVerifiesUnderTheGatewayKeyOnly() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();
    signed(body, "push", delivery).post("/webhooks/github").then().statusCode(202);

    ConsumerRecord<String, byte[]> trigger = awaitTrigger(Ids.githubTrigger(delivery));

    String gatewayKeyId = EventPublicKey.read(GATEWAY_PUBLIC_KEY).keyId();
    assertThat(EventSignatures.verify(trigger.headers(), trigger.value(), gatewayKeys()))
        .isEqualTo(new Verified(gatewayKeyId));
    assertThat(
            EventSignatures.verify(
                trigger.headers(),
                trigger.value(),
                EventKeyRing.read("gateway", List.of(OTHER_PUBLIC_KEY))))
        .isEqualTo(new UnknownKey(gatewayKeyId));
    assertAlteredCopiesDoNotVerify(trigger, gatewayKeyId);
  }

  @Test
  void reject_unsignedDelivery_rejectionEventVerifiesUnderTheGatewayKey() throws Exception {
    String delivery = UUID.randomUUID().toString();
    signed(Fixtures.webhook("push_payload.json"), "push", delivery)
        .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
        .post("/webhooks/github")
        .then()
        .statusCode(401);

    awaitRejection(r -> delivery.equals(r.deliveryId()));
    ConsumerRecord<String, byte[]> rejection =
        rejectionRecords.stream()
            .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains(delivery))
            .findFirst()
            .orElseThrow();

    String gatewayKeyId = EventPublicKey.read(GATEWAY_PUBLIC_KEY).keyId();
    assertThat(EventSignatures.verify(rejection.headers(), rejection.value(), gatewayKeys()))
        .isEqualTo(new Verified(gatewayKeyId));
    assertAlteredCopiesDoNotVerify(rejection, gatewayKeyId);
  }

  @Test
  void journal_forgedRecordForADelivery_isIgnoredAndTheGenuineDeliveryAccepted() {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();
    double before = unauthenticatedJournalRecords();
    // What anyone with access to the broker could write: the delivery's trigger id with another
    // body's digest. Counted, it would refuse the genuine delivery DELIVERY_ID_REUSED.
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            kafka.clientProperties(), new StringSerializer(), new StringSerializer())) {
      producer.send(
          new ProducerRecord<>(
              TollgateTopics.DELIVERIES, Ids.githubTrigger(delivery), "sha256:" + "0".repeat(64)));
      producer.flush();
    }
    // The gateway's journal has read it (and ignored it) before the delivery arrives.
    await().atMost(Duration.ofSeconds(30)).until(() -> unauthenticatedJournalRecords() > before);

    signed(body, "push", delivery).post("/webhooks/github").then().statusCode(202);
    awaitTrigger(Ids.githubTrigger(delivery));
  }

  private double unauthenticatedJournalRecords() {
    String metrics = managed().get("/q/metrics").then().statusCode(200).extract().asString();
    return metrics
        .lines()
        .filter(
            l ->
                l.startsWith("tollgate_gateway_deliveries_journal_unauthenticated_total{")
                    && l.contains("reason=\"unsigned\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static void assertAlteredCopiesDoNotVerify(
      ConsumerRecord<String, byte[]> record, String keyId) throws Exception {
    byte[] altered = record.value().clone();
    altered[altered.length / 2] ^= 1;
    assertThat(EventSignatures.verify(record.headers(), altered, gatewayKeys()))
        .isInstanceOf(Invalid.class)
        .extracting(v -> ((Invalid) v).keyId())
        .isEqualTo(keyId);

    RecordHeaders renamed = new RecordHeaders(record.headers().toArray());
    renamed.remove(KafkaCloudEvents.ID);
    renamed.add(KafkaCloudEvents.ID, "github:forged@1".getBytes(StandardCharsets.UTF_8));
    assertThat(EventSignatures.verify(renamed, record.value(), gatewayKeys()))
        .isInstanceOf(Invalid.class);
  }
}
