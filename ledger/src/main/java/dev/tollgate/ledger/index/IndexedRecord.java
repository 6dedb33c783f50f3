package dev.tollgate.ledger.index;

import java.util.List;

/**
 * The links of one ledger record, as its {@code links} member states them.
 *
 * @param seq the record's seq
 * @param kind its kind on the wire ({@code trigger}, {@code decision}, {@code run}, ...)
 * @param eventId the source event it records
 * @param triggerId the trigger it links, or null
 * @param decisionId the decision it links, or null
 * @param runUid the run it links, or null
 * @param imageDigests the image digests it links
 * @param authenticated whether its source event verified under a key trusted for its topic; an
 *     unauthenticated record is evidence only, never a link of provenance nor an admitting decision
 */
public record IndexedRecord(
    long seq,
    String kind,
    String eventId,
    String triggerId,
    String decisionId,
    String runUid,
    List<String> imageDigests,
    boolean authenticated) {

  public IndexedRecord {
    imageDigests = List.copyOf(imageDigests);
  }
}
