package dev.tollgate.ledger.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Realistic trigger events for the ledger's benchmarks: the gateway's GitHub push trigger with the
 * 4 KB push body of {@code gateway/bench/push-4k.json} as its payload, each under its own trigger
 * and delivery id, optionally signed with the gateway's test key as the gateway signs them.
 */
final class PushTriggers {

  static final String TOPIC = "tollgate.triggers.v1";

  private final ObjectNode template;

  PushTriggers() {
    Path push = Path.of(System.getProperty("tollgate.root"), "gateway", "bench", "push-4k.json");
    byte[] body;
    try {
      body = Files.readAllBytes(push);
      template = Chains.tree(Chains.triggerData("github:template"));
      template.set("payload", Json.readTree(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (dev.tollgate.schemas.json.MalformedJsonException e) {
      throw new IllegalStateException(push + " is not JSON", e);
    }
    template.put("payloadDigest", Sha256.digest(body));
    template.put("payloadSize", body.length);
  }

  /** The event data of trigger {@code n}: about 4 KB of canonical JSON. */
  byte[] data(long n) {
    ObjectNode trigger = template.deepCopy();
    String delivery = "bench-" + n;
    trigger.put("triggerId", "github:" + delivery);
    ((ObjectNode) trigger.path("github")).put("deliveryId", delivery);
    return CanonicalJson.bytes(trigger);
  }

  /** Trigger {@code n} as the ledger reads it at offset {@code n}, unsigned or signed. */
  SourceEvent event(long n, boolean signed) {
    SourceEvent event =
        new SourceEvent(
            LedgerRecord.Kind.TRIGGER,
            "github:bench-" + n,
            "dev.tollgate.trigger.v1",
            new LedgerRecord.SourcePosition(TOPIC, 0, n),
            data(n));
    return signed ? EventKeys.signed(event, EventKeys.gateway()) : event;
  }
}
