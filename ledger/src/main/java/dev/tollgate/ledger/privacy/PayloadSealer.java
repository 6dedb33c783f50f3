package dev.tollgate.ledger.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Seals configured parts of source events' JSON payloads before they are recorded: each value at a
 * configured pointer is kept in the {@link SealedStore} with a fresh 32-byte salt, and the record
 * carries its commitment in its place. A pointer the payload does not have (a trigger whose body
 * was too large to embed) or that holds {@code null} seals nothing; only object members are sealed.
 */
public final class PayloadSealer {

  private static final Pattern SPEC = Pattern.compile("([a-z-]+):((/([^~/]|~[01])*)+)");
  private static final PayloadSealer OFF = new PayloadSealer(Map.of(), null, null);

  private final Map<LedgerRecord.Kind, List<String>> pointers;
  private final SealedStore store;
  private final SecureRandom random;

  private PayloadSealer(
      Map<LedgerRecord.Kind, List<String>> pointers, SealedStore store, SecureRandom random) {
    this.pointers = pointers;
    this.store = store;
    this.random = random;
  }

  /** Seals nothing. */
  public static PayloadSealer off() {
    return OFF;
  }

  /**
   * Seals the parts {@code specs} name, each {@code <kind>:<RFC 6901 pointer>} ({@code
   * trigger:/payload}), into {@code store}.
   *
   * @throws IllegalArgumentException naming a spec that is malformed, names a kind the ledger
   *     writes itself, or a pointer inside another of its kind
   */
  public static PayloadSealer of(List<String> specs, SealedStore store, SecureRandom random) {
    Map<LedgerRecord.Kind, TreeSet<String>> byKind = new EnumMap<>(LedgerRecord.Kind.class);
    for (String spec : specs) {
      var m = SPEC.matcher(spec.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "sealed part '" + spec + "' is not <kind>:<JSON pointer>, e.g. trigger:/payload");
      }
      LedgerRecord.Kind kind = kind(m.group(1), spec);
      byKind.computeIfAbsent(kind, k -> new TreeSet<>()).add(m.group(2));
    }
    Map<LedgerRecord.Kind, List<String>> pointers = new EnumMap<>(LedgerRecord.Kind.class);
    byKind.forEach(
        (kind, set) -> {
          String previous = null;
          for (String pointer : set) {
            if (previous != null && pointer.startsWith(previous + "/")) {
              throw new IllegalArgumentException(
                  "sealed part " + kind.wire() + ":" + pointer + " is inside " + previous);
            }
            previous = pointer;
          }
          pointers.put(kind, List.copyOf(set));
        });
    return pointers.isEmpty() ? OFF : new PayloadSealer(Map.copyOf(pointers), store, random);
  }

  private static LedgerRecord.Kind kind(String wire, String spec) {
    for (LedgerRecord.Kind kind : LedgerRecord.Kind.values()) {
      if (kind.wire().equals(wire) && !kind.isLedgerOwn()) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "sealed part '" + spec + "' names no source kind (trigger, rejection, decision, run)");
  }

  /** Whether it seals anything. */
  public boolean sealsAnything() {
    return !pointers.isEmpty();
  }

  /** The store it keeps sealed parts in, or empty when it seals nothing. */
  public Optional<SealedStore> store() {
    return Optional.ofNullable(store);
  }

  /**
   * The event with its configured parts sealed: each kept in the store first, then replaced by its
   * commitment. Unchanged when nothing of its kind is sealed or its payload is not JSON.
   *
   * @throws java.io.UncheckedIOException when the store cannot keep a part: nothing is recorded
   *     without its sealed content kept
   */
  public RecordBuilder.Prepared seal(RecordBuilder.Prepared prepared) {
    List<String> wanted = pointers.getOrDefault(prepared.event().kind(), List.of());
    Optional<JsonNode> json = prepared.jsonPayload();
    if (wanted.isEmpty() || json.isEmpty() || !json.get().isObject()) {
      return prepared;
    }
    ObjectNode payload = json.get().deepCopy();
    List<LedgerRecord.Sealed> sealed = new ArrayList<>();
    for (String pointer : wanted) {
      int slash = pointer.lastIndexOf('/');
      JsonNode parent = slash == 0 ? payload : payload.at(pointer.substring(0, slash));
      String member = unescape(pointer.substring(slash + 1));
      if (!(parent instanceof ObjectNode object)
          || !object.has(member)
          || object.get(member).isNull()) {
        continue;
      }
      byte[] salt = new byte[SealedPart.SALT_BYTES];
      random.nextBytes(salt);
      SealedPart part =
          SealedPart.seal(prepared.event().eventId(), pointer, salt, object.get(member));
      store.put(part);
      object.put(member, part.commitment());
      sealed.add(new LedgerRecord.Sealed(pointer, part.commitment()));
    }
    return sealed.isEmpty() ? prepared : prepared.sealedAs(payload, sealed);
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }

  @Override
  public String toString() {
    return pointers.isEmpty() ? "PayloadSealer[off]" : "PayloadSealer" + pointers + " in " + store;
  }
}
