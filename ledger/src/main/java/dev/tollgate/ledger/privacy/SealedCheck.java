package dev.tollgate.ledger.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a verified record's sealed parts against a sealed store: a present part must be the one
 * its commitment names (same commitment, event and pointer; SHA-256 of salt and content equal to
 * the commitment); an absent one is erased. When every part of a record is present, the payload
 * with them put back must hash to the record's {@code payloadDigest}.
 */
public final class SealedCheck {

  private SealedCheck() {}

  /** What was found for one sealed part. */
  public enum Status {
    /** In the store and matching its commitment. */
    PRESENT,
    /** Not in the store: erased (or never kept). */
    ERASED,
    /** In the store but not what the commitment names, or unreadable. */
    MISMATCH
  }

  /**
   * One sealed part's finding.
   *
   * @param seq the record's seq
   * @param eventId its event id
   * @param pointer where the part was
   * @param commitment the record's commitment
   * @param status what was found
   * @param why for a mismatch, what differs (never the content)
   */
  public record Finding(
      long seq, String eventId, String pointer, String commitment, Status status, String why) {}

  /**
   * The findings of one record, and whether its payload digest was checked.
   *
   * @param parts one finding per sealed part, in the record's order
   * @param digestChecked whether every part was present, so the payload digest was checked
   * @param digestMismatch when checked and it did not match, what the restored payload hashes to
   */
  public record Result(List<Finding> parts, boolean digestChecked, String digestMismatch) {
    /** Whether nothing failed: every part present or erased, and a checked digest matched. */
    public boolean ok() {
      return digestMismatch == null && parts.stream().noneMatch(p -> p.status() == Status.MISMATCH);
    }
  }

  /** Checks the record (already verified by the chain) against the store. */
  public static Result check(LedgerRecord record, SealedStore store) {
    List<Finding> findings = new ArrayList<>();
    JsonNode restored = record.payload().deepCopy();
    boolean complete = true;
    for (LedgerRecord.Sealed sealed : record.sealed()) {
      Optional<SealedPart> part;
      try {
        part = store.get(sealed.commitment());
      } catch (SealedStoreException e) {
        findings.add(finding(record, sealed, Status.MISMATCH, e.getMessage()));
        complete = false;
        continue;
      }
      if (part.isEmpty()) {
        findings.add(finding(record, sealed, Status.ERASED, null));
        complete = false;
        continue;
      }
      String why = mismatch(record, sealed, part.get());
      if (why != null) {
        findings.add(finding(record, sealed, Status.MISMATCH, why));
        complete = false;
        continue;
      }
      findings.add(finding(record, sealed, Status.PRESENT, null));
      restore(restored, sealed.pointer(), part.get().content());
    }
    if (!complete || findings.isEmpty()) {
      return new Result(List.copyOf(findings), false, null);
    }
    String digest = Sha256.digest(CanonicalJson.bytes(restored));
    return new Result(
        List.copyOf(findings),
        true,
        digest.equals(record.payloadDigest())
            ? null
            : "the payload with its sealed parts put back hashes to "
                + digest
                + ", not to payloadDigest "
                + record.payloadDigest());
  }

  private static String mismatch(LedgerRecord record, LedgerRecord.Sealed sealed, SealedPart part) {
    if (!part.commitment().equals(sealed.commitment())) {
      return "the store's entry names commitment " + part.commitment();
    }
    if (!part.eventId().equals(record.eventId()) || !part.pointer().equals(sealed.pointer())) {
      return "the store's entry is of " + part.eventId() + " at " + part.pointer();
    }
    if (!part.matchesCommitment()) {
      return "SHA-256 of the entry's salt and content is not the commitment";
    }
    return null;
  }

  private static void restore(JsonNode payload, String pointer, JsonNode content) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = slash == 0 ? payload : payload.at(pointer.substring(0, slash));
    String member = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
    if (parent instanceof ObjectNode object) {
      object.set(member, content);
    }
  }

  private static Finding finding(
      LedgerRecord record, LedgerRecord.Sealed sealed, Status status, String why) {
    return new Finding(
        record.seq(), record.eventId(), sealed.pointer(), sealed.commitment(), status, why);
  }
}
