package dev.tollgate.ledger.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Realistic trigger events for the ledger's benchmarks: the gateway's GitHub push trigger with the
 * 4 KB push body of {@code gateway/bench/push-4k.json} as its payload, each under its own trigger
 * and delivery id, optionally signed with the gateway's test key as the gateway signs them.
 */
final class PushTriggers {

  static final String TOPIC = "tollgate.triggers.v1";

  private static final String TRIGGER_MARK = "github:trigger-id-mark";
  private static final String DELIVERY_MARK = "delivery-id-mark";

  private final ObjectNode template;

  /**
   * The canonical JSON of the template around its trigger and delivery ids, in order: {@link #data}
   * splices each trigger's ids in rather than copying and canonicalising a 4 KB tree per event,
   * which took a core of its own from the writer the benchmarks measure.
   */
  private final byte[][] pieces;

  private final boolean triggerFirst;

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
    String marked = new String(canonical(TRIGGER_MARK, DELIVERY_MARK), StandardCharsets.UTF_8);
    int trigger = marked.indexOf(quoted(TRIGGER_MARK));
    int delivery = marked.indexOf(quoted(DELIVERY_MARK));
    if (trigger < 0
        || delivery < 0
        || marked.indexOf(quoted(TRIGGER_MARK), trigger + 1) >= 0
        || marked.indexOf(quoted(DELIVERY_MARK), delivery + 1) >= 0) {
      throw new IllegalStateException("the template does not hold each id once");
    }
    triggerFirst = trigger < delivery;
    int first = Math.min(trigger, delivery);
    int second = Math.max(trigger, delivery);
    int firstEnd = first + quoted(triggerFirst ? TRIGGER_MARK : DELIVERY_MARK).length();
    int secondEnd = second + quoted(triggerFirst ? DELIVERY_MARK : TRIGGER_MARK).length();
    pieces =
        new byte[][] {
          marked.substring(0, first).getBytes(StandardCharsets.UTF_8),
          marked.substring(firstEnd, second).getBytes(StandardCharsets.UTF_8),
          marked.substring(secondEnd).getBytes(StandardCharsets.UTF_8)
        };
    // The spliced bytes are exactly what canonicalising the tree gives (ids need no escaping).
    if (!Arrays.equals(data(1234567), canonical("github:bench-1234567", "bench-1234567"))) {
      throw new IllegalStateException("splicing ids into the template is not canonical JSON");
    }
  }

  private byte[] canonical(String triggerId, String deliveryId) {
    ObjectNode trigger = template.deepCopy();
    trigger.put("triggerId", triggerId);
    ((ObjectNode) trigger.path("github")).put("deliveryId", deliveryId);
    return CanonicalJson.bytes(trigger);
  }

  private static String quoted(String value) {
    return '"' + value + '"';
  }

  /** The event data of trigger {@code n}: about 4 KB of canonical JSON. */
  byte[] data(long n) {
    String delivery = "bench-" + n;
    byte[] triggerId = quoted("github:" + delivery).getBytes(StandardCharsets.US_ASCII);
    byte[] deliveryId = quoted(delivery).getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream(4 * 1024 + 128);
    out.writeBytes(pieces[0]);
    out.writeBytes(triggerFirst ? triggerId : deliveryId);
    out.writeBytes(pieces[1]);
    out.writeBytes(triggerFirst ? deliveryId : triggerId);
    out.writeBytes(pieces[2]);
    return out.toByteArray();
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
