package dev.tollgate.cli.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.privacy.SealedCheck;
import dev.tollgate.ledger.privacy.SealedPart;
import dev.tollgate.ledger.privacy.SealedStore;
import dev.tollgate.ledger.privacy.SealedStoreException;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A record's payload as it was before the ledger sealed parts of it: each sealed part is taken from
 * the sealed store ({@code --sealed-store DIR}, the ledger's {@code <data-dir>/sealed}) and put
 * back only when the ledger's own {@link SealedCheck} finds it matching its commitment and the
 * payload with every part back hashes to the record's {@code payloadDigest}. Otherwise the payload
 * is withheld with the reason, so no command reads a commitment string as if it were the content.
 */
public final class SealedPayloads {

  /** What a command may read of a record's payload. */
  public sealed interface Opened permits Whole, Withheld {}

  /**
   * The record with its whole payload: nothing was sealed, or every sealed part was put back.
   *
   * @param record the record, its payload whole
   * @param restored the pointers put back (empty when nothing was sealed)
   */
  public record Whole(Recorded record, List<String> restored) implements Opened {
    public Whole {
      restored = List.copyOf(restored);
    }
  }

  /**
   * The payload holds sealed parts that cannot be put back.
   *
   * @param why what is missing or wrong, and what to do (never the content)
   */
  public record Withheld(String why) implements Opened {}

  private final SealedStore store;

  private SealedPayloads(SealedStore store) {
    this.store = store;
  }

  /** Without a sealed store: every sealed payload is withheld. */
  public static SealedPayloads withoutStore() {
    return new SealedPayloads(null);
  }

  /**
   * Sealed parts read from the store in {@code dir}, or withheld when {@code dir} is null.
   *
   * @throws LedgerSourceException when {@code dir} is not a directory (a mistyped store would read
   *     as every part erased)
   */
  public static SealedPayloads of(Path dir) throws LedgerSourceException {
    if (dir == null) {
      return withoutStore();
    }
    if (!Files.isDirectory(dir)) {
      throw new LedgerSourceException("--sealed-store " + dir + " is not a directory");
    }
    return new SealedPayloads(new SealedStore(dir));
  }

  /** The record's payload whole, or why it is withheld. */
  public Opened open(Recorded recorded) {
    JsonNode sealed = recorded.record().path("sealed");
    if (!sealed.isArray() || sealed.isEmpty()) {
      return new Whole(recorded, List.of());
    }
    List<String> pointers = new ArrayList<>();
    sealed.forEach(s -> pointers.add(s.path("pointer").asText()));
    if (store == null) {
      return new Withheld(
          "payload sealed: pass --sealed-store DIR (the ledger's <data-dir>/sealed) to read "
              + String.join(", ", pointers)
              + " of seq "
              + recorded.seq());
    }
    LedgerRecord record;
    try {
      record = Json.read(CanonicalJson.bytes(recorded.record()), LedgerRecord.class);
    } catch (MalformedJsonException e) {
      throw new IllegalStateException("a verified record is not a ledger record", e);
    }
    SealedCheck.Result result = SealedCheck.check(record, store);
    for (SealedCheck.Finding f : result.parts()) {
      switch (f.status()) {
        case ERASED -> {
          return new Withheld(
              "payload sealed, erased: "
                  + f.pointer()
                  + " of seq "
                  + f.seq()
                  + " (commitment "
                  + f.commitment()
                  + ") is not in the sealed store "
                  + store.dir());
        }
        case MISMATCH -> {
          return new Withheld(mismatch(f.pointer(), f.seq(), f.commitment(), f.why()));
        }
        case PRESENT -> {
          // put back below, once every part is known to match
        }
      }
    }
    if (!result.digestChecked() || result.digestMismatch() != null) {
      return new Withheld(
          "payload sealed: with its sealed parts from "
              + store.dir()
              + " put back, the payload of seq "
              + recorded.seq()
              + " does not match its commitment: "
              + (result.digestChecked() ? result.digestMismatch() : "it could not be checked"));
    }
    return restore(recorded, record);
  }

  /**
   * Puts the parts back. They are read again, so each is checked again here, and the whole payload
   * against {@code payloadDigest}: a store changed since the check cannot slip a part in.
   */
  private Opened restore(Recorded recorded, LedgerRecord record) {
    JsonNode payload = recorded.record().path("payload").deepCopy();
    List<String> restored = new ArrayList<>();
    for (LedgerRecord.Sealed s : record.sealed()) {
      Optional<SealedPart> part;
      try {
        part = store.get(s.commitment());
      } catch (SealedStoreException e) {
        return new Withheld(mismatch(s.pointer(), recorded.seq(), s.commitment(), e.getMessage()));
      }
      if (part.isEmpty()) {
        return new Withheld(
            "payload sealed, erased: " + s.pointer() + " of seq " + recorded.seq() + " was erased");
      }
      if (!part.get().commitment().equals(s.commitment()) || !part.get().matchesCommitment()) {
        return new Withheld(
            mismatch(s.pointer(), recorded.seq(), s.commitment(), "it changed while read"));
      }
      if (!put(payload, s.pointer(), part.get().content())) {
        return new Withheld(
            mismatch(s.pointer(), recorded.seq(), s.commitment(), "the payload has no such place"));
      }
      restored.add(s.pointer());
    }
    String digest = Sha256.digest(CanonicalJson.bytes(payload));
    if (!digest.equals(record.payloadDigest())) {
      return new Withheld(
          "payload sealed: with its sealed parts put back, the payload of seq "
              + recorded.seq()
              + " hashes to "
              + digest
              + " and does not match its commitment "
              + record.payloadDigest());
    }
    ObjectNode whole = recorded.record().deepCopy();
    whole.set("payload", payload);
    return new Whole(Recorded.of(recorded.seq(), whole), restored);
  }

  /** Sets the member {@code pointer} (RFC 6901) names; false when its parent is not an object. */
  private static boolean put(JsonNode payload, String pointer, JsonNode content) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = slash == 0 ? payload : payload.at(pointer.substring(0, slash));
    String member = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
    if (parent instanceof ObjectNode object) {
      object.set(member, content);
      return true;
    }
    return false;
  }

  private String mismatch(String pointer, long seq, String commitment, String why) {
    return "payload sealed: "
        + pointer
        + " of seq "
        + seq
        + " in the sealed store "
        + store.dir()
        + " does not match its commitment "
        + commitment
        + ": "
        + why;
  }

  @Override
  public String toString() {
    return store == null ? "SealedPayloads[no store]" : "SealedPayloads[" + store.dir() + "]";
  }
}
