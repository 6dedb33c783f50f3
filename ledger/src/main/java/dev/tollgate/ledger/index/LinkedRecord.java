package dev.tollgate.ledger.index;

import java.util.ArrayList;
import java.util.List;

/**
 * One record the index holds: its links and, for an authenticated decision, the decision.
 *
 * @param links what the record links
 * @param decision the decision it records, when it is a decision whose event verified under the
 *     verifier's keys; null otherwise (an unauthenticated decision never admits)
 */
public record LinkedRecord(IndexedRecord links, DecisionRecord decision) {

  public LinkedRecord {
    if (links == null) {
      throw new IllegalArgumentException("a linked record has links");
    }
    if (decision != null && decision.seq() != links.seq()) {
      throw new IllegalArgumentException("a decision is the record's own");
    }
  }

  /** The seq of the record. */
  public long seq() {
    return links.seq();
  }

  /** The keys the record is found under: its seq and each link. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    keys.add(seqKey(links.seq()));
    if (links.triggerId() != null) {
      keys.add(triggerKey(links.triggerId()));
    }
    if (links.decisionId() != null) {
      keys.add(decisionKey(links.decisionId()));
    }
    if (links.runUid() != null) {
      keys.add(runKey(links.runUid()));
    }
    links.imageDigests().forEach(d -> keys.add(imageKey(d)));
    return keys;
  }

  static String seqKey(long seq) {
    return "seq\u0000" + seq;
  }

  static String triggerKey(String triggerId) {
    return "trigger\u0000" + triggerId;
  }

  static String decisionKey(String decisionId) {
    return "decision\u0000" + decisionId;
  }

  static String runKey(String runUid) {
    return "run\u0000" + runUid;
  }

  static String imageKey(String digest) {
    return "image\u0000" + digest;
  }

  /** Whether the record is found under {@code key}: the exact check after a hashed lookup. */
  public boolean hasKey(String key) {
    return keys().contains(key);
  }
}
