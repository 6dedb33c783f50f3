package dev.tollgate.ledger.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link RecordedEvents} in a hash map: a few hundred bytes of heap per record. */
final class InMemoryRecordedEvents implements RecordedEvents {

  private final Map<String, List<RecordedEvent>> byId = new HashMap<>();
  private final List<RecordedEvent> uncommitted = new ArrayList<>();

  @Override
  public List<RecordedEvent> records(String eventId) {
    return byId.getOrDefault(eventId, List.of());
  }

  @Override
  public void add(RecordedEvent recorded) {
    // One-element lists for the usual case; a conflict copies the (short) list.
    byId.merge(
        recorded.eventId(),
        List.of(recorded),
        (before, now) -> {
          List<RecordedEvent> all = new ArrayList<>(before);
          all.addAll(now);
          return List.copyOf(all);
        });
    uncommitted.add(recorded);
  }

  @Override
  public void markCommitted() {
    uncommitted.clear();
  }

  @Override
  public void rollback() {
    for (int i = uncommitted.size() - 1; i >= 0; i--) {
      RecordedEvent recorded = uncommitted.get(i);
      List<RecordedEvent> records = byId.get(recorded.eventId());
      if (records.size() == 1) {
        byId.remove(recorded.eventId());
      } else {
        byId.put(recorded.eventId(), List.copyOf(records.subList(0, records.size() - 1)));
      }
    }
    uncommitted.clear();
  }
}
