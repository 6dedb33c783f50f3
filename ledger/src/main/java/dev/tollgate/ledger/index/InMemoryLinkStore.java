package dev.tollgate.ledger.index;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link LinkStore} in a hash map: a few hundred bytes of heap per linked record. */
final class InMemoryLinkStore implements LinkStore {

  private final Map<String, List<LinkedRecord>> byKey = new HashMap<>();

  @Override
  public synchronized void add(LinkedRecord record) {
    for (String key : record.keys()) {
      byKey.computeIfAbsent(key, k -> new ArrayList<>(1)).add(record);
    }
  }

  @Override
  public synchronized List<LinkedRecord> find(String key) {
    return List.copyOf(byKey.getOrDefault(key, List.of()));
  }
}
