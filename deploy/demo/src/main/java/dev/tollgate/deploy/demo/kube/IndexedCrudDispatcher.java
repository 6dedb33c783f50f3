package dev.tollgate.deploy.demo.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's CRUD dispatcher with its objects indexed by name. fabric8 finds an object by testing
 * every stored object against the request's attributes, so each GET of one object and each create
 * (which first looks for a conflict) costs time in proportion to everything stored; a local stack
 * that creates a PipelineRun per admitted trigger and never deletes one slows down as it runs (in
 * the system benchmark, the scans were a third of this process's CPU). Here a GET of a named object
 * and the handlers' lookups test only the objects of that name.
 *
 * <p>Every change goes through {@link #processEvent}, which here also updates the index under this
 * object's lock (the indexed reads hold it too): the old key leaves it, and the new key, computed
 * as fabric8 computes it, enters it once fabric8's own map holds it; if the map does not, the index
 * is rebuilt from the map before the next read, so it never disagrees with what fabric8 stores.
 * Lists, watches and everything else are fabric8's own.
 */
class IndexedCrudDispatcher extends KubernetesCrudDispatcher {

  private final Map<String, List<AttributeSet>> byName = new HashMap<>();
  private boolean stale = true;

  @Override
  public MockResponse handleGet(String path) {
    if (path.contains("watch=")) {
      return super.handleGet(path);
    }
    AttributeSet query = getAttributeExtractor().fromPath(path);
    String name = name(query);
    if (name == null) {
      return super.handleGet(path);
    }
    String found;
    synchronized (this) {
      Map.Entry<AttributeSet, String> entry = find(name, query);
      found = entry == null ? null : entry.getValue();
    }
    // As fabric8 answers a named GET: the object, or 404.
    return found == null
        ? new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
        : new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(found);
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    String name = name(attributes);
    if (name == null) {
      return super.findResource(attributes);
    }
    synchronized (this) {
      return find(name, attributes);
    }
  }

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    synchronized (this) {
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
      if (stale) {
        return;
      }
      if (oldAttributes != null && !map.containsKey(oldAttributes) && !unindex(oldAttributes)) {
        stale = true;
        return;
      }
      if (newState != null) {
        AttributeSet added = keyOf(pathAttributes, resource, newState);
        if (map.containsKey(added) && name(added) != null) {
          List<AttributeSet> named = byName.computeIfAbsent(name(added), k -> new ArrayList<>(1));
          if (!named.contains(added)) {
            named.add(added);
          }
        } else {
          stale = true;
        }
      }
    }
  }

  /** The key fabric8's processEvent stores a new state under. */
  private AttributeSet keyOf(
      AttributeSet pathAttributes, GenericKubernetesResource resource, String newState) {
    KubernetesAttributesExtractor extractor =
        (KubernetesAttributesExtractor) getAttributeExtractor();
    AttributeSet key =
        resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
    return key.containsKey(KubernetesAttributesExtractor.PLURAL)
        ? key
        : AttributeSet.merge(pathAttributes, key);
  }

  private boolean unindex(AttributeSet key) {
    String name = name(key);
    if (name == null) {
      return false;
    }
    List<AttributeSet> named = byName.get(name);
    if (named != null) {
      named.remove(key);
      if (named.isEmpty()) {
        byName.remove(name);
      }
    }
    return true;
  }

  @Override
  public void reset() {
    synchronized (this) {
      super.reset();
      stale = true;
    }
  }

  /** The first stored object of that name matching {@code query}, as fabric8's scan finds it. */
  private Map.Entry<AttributeSet, String> find(String name, AttributeSet query) {
    if (stale) {
      byName.clear();
      for (AttributeSet key : map.keySet()) {
        String n = name(key);
        if (n != null) {
          byName.computeIfAbsent(n, k -> new ArrayList<>(1)).add(key);
        }
      }
      stale = false;
    }
    for (AttributeSet key : byName.getOrDefault(name, List.of())) {
      if (key.matches(query)) {
        return Map.entry(key, map.get(key));
      }
    }
    return null;
  }

  private static String name(AttributeSet attributes) {
    Attribute name = attributes.getAttribute(KubernetesAttributesExtractor.NAME);
    if (name == null || name.getValues().size() != 1) {
      return null;
    }
    return name.getValues().get(0).toString();
  }
}
