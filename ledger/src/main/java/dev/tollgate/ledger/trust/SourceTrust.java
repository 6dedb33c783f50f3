package dev.tollgate.ledger.trust;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import dev.tollgate.schemas.ledger.LedgerRecord.Authentication;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventSignatures;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The event-signing keys the ledger trusts, per signer: the gateway's for triggers and rejections,
 * the verifier's for decisions, the run watch's for runs ({@code tollgate.trust.*-keys}). Checks a
 * source event's signature on its headers and value bytes exactly as consumed. Immutable and
 * thread-safe; holds public keys only.
 */
public final class SourceTrust {

  /** The signer name of trigger and rejection events, as records state it. */
  public static final String GATEWAY = "gateway";

  /** The signer name of decision events. */
  public static final String VERIFIER = "verifier";

  /** The signer name of run events. */
  public static final String RUN_WATCH = "run-watch";

  private static final Pattern SIGNATURE = Pattern.compile("[A-Za-z0-9+/]{85}[AQgw]==");

  private final Map<LedgerRecord.Kind, EventKeyRing> rings;

  private SourceTrust(EventKeyRing gateway, EventKeyRing verifier, EventKeyRing runWatch) {
    requireSigner(gateway, GATEWAY);
    requireSigner(verifier, VERIFIER);
    requireSigner(runWatch, RUN_WATCH);
    Map<LedgerRecord.Kind, EventKeyRing> byKind = new EnumMap<>(LedgerRecord.Kind.class);
    byKind.put(LedgerRecord.Kind.TRIGGER, gateway);
    byKind.put(LedgerRecord.Kind.REJECTION, gateway);
    byKind.put(LedgerRecord.Kind.DECISION, verifier);
    byKind.put(LedgerRecord.Kind.RUN, runWatch);
    this.rings = byKind;
  }

  /**
   * Trusts these key rings, named {@value #GATEWAY}, {@value #VERIFIER} and {@value #RUN_WATCH}.
   */
  public static SourceTrust of(EventKeyRing gateway, EventKeyRing verifier, EventKeyRing runWatch) {
    return new SourceTrust(gateway, verifier, runWatch);
  }

  /** Trusts no key: every source event is recorded as unauthenticated. */
  public static SourceTrust none() {
    return new SourceTrust(
        EventKeyRing.of(GATEWAY, List.of()),
        EventKeyRing.of(VERIFIER, List.of()),
        EventKeyRing.of(RUN_WATCH, List.of()));
  }

  private static void requireSigner(EventKeyRing ring, String signer) {
    if (!ring.signer().equals(signer)) {
      throw new IllegalArgumentException(
          "the " + signer + " key ring is named " + ring.signer() + ", not " + signer);
    }
  }

  /** The keys trusted for events of this kind. */
  public EventKeyRing ring(LedgerRecord.Kind kind) {
    EventKeyRing ring = rings.get(kind);
    if (ring == null) {
      throw new IllegalArgumentException("a " + kind.wire() + " record has no source event");
    }
    return ring;
  }

  /** Whether no key at all is trusted for some source topic: its events never verify. */
  public boolean incomplete() {
    return rings.values().stream().anyMatch(EventKeyRing::isEmpty);
  }

  /**
   * Checks the event's signature against the keys trusted for its topic, on its headers and value
   * exactly as consumed. Never throws for a bad event: what is wrong is the result.
   */
  public Authentication authenticate(SourceEvent event) {
    EventKeyRing ring = ring(event.kind());
    Headers headers = event.headers();
    byte[] data = event.data();
    EventSignatures.Verification verification = EventSignatures.verify(headers, data, ring);
    String signer = ring.signer();
    if (verification instanceof EventSignatures.Verified verified) {
      return new Authentication(
          signer,
          Authentication.Result.VERIFIED,
          verified.keyId(),
          null,
          signed(headers, verified.keyId(), data),
          signature(headers));
    }
    if (verification instanceof EventSignatures.UnknownKey unknown) {
      return new Authentication(
          signer,
          Authentication.Result.UNKNOWN_KEY,
          unknown.keyId(),
          "signed by key "
              + unknown.keyId()
              + ", which is not among the "
              + ring.keys().size()
              + " keys trusted for "
              + signer
              + " events (tollgate.trust."
              + signer
              + "-keys)",
          signed(headers, unknown.keyId(), data),
          signature(headers));
    }
    if (verification instanceof EventSignatures.Invalid invalid) {
      boolean named = invalid.keyId() != null;
      return new Authentication(
          signer,
          Authentication.Result.INVALID,
          invalid.keyId(),
          invalid.why(),
          named ? signed(headers, invalid.keyId(), data) : null,
          named ? signature(headers) : null);
    }
    // EventSignatures.Unsigned, the one outcome left of the sealed Verification.
    return new Authentication(
        signer,
        Authentication.Result.UNSIGNED,
        null,
        "the event carries no signature (" + EventSignatures.SIGNATURE + ")",
        null,
        null);
  }

  /** The object the signature covers, or null when the headers cannot be put in signed form. */
  private static JsonNode signed(Headers headers, String keyId, byte[] data) {
    try {
      return Json.readTree(EventSignatures.signedBytes(headers, keyId, data));
    } catch (EventSignatures.MalformedEventException e) {
      return null;
    } catch (MalformedJsonException e) {
      throw new IllegalStateException("the signed form of an event is not JSON", e);
    }
  }

  /** The one signature header's value when it is padded base64 of 64 bytes, else null. */
  private static String signature(Headers headers) {
    Iterator<Header> all = headers.headers(EventSignatures.SIGNATURE).iterator();
    if (!all.hasNext()) {
      return null;
    }
    byte[] value = all.next().value();
    if (all.hasNext() || value == null) {
      return null;
    }
    String text = new String(value, StandardCharsets.ISO_8859_1);
    return SIGNATURE.matcher(text).matches() ? text : null;
  }
}
