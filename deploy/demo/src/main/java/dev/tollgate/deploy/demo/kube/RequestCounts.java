package dev.tollgate.deploy.demo.kube;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The requests the embedded API server answered, counted by verb and path shape (namespace and
 * object names replaced by {@code {ns}} and {@code {name}}, query values dropped except {@code
 * watch}), so a benchmark can say which requests each trigger costs: the verifier's provisioning,
 * its PipelineRun, the ledger's run watch, the benchmark's own watch.
 */
public final class RequestCounts {

  /** The path that answers the counts, one {@code count verb shape} line each, sorted by shape. */
  public static final String PATH = "/_tollgate/requests";

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  /** Counts one request. */
  public void count(String method, String path) {
    counts.computeIfAbsent(method + " " + shape(path), k -> new LongAdder()).increment();
  }

  /** Every count so far, {@code count verb shape} per line, sorted by verb and shape. */
  public String report() {
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach((k, v) -> sorted.put(k, v.sum()));
    StringBuilder out = new StringBuilder();
    sorted.forEach((k, v) -> out.append(v).append(' ').append(k).append('\n'));
    return out.toString();
  }

  /**
   * The path's shape: {@code /api/v1/namespaces/{ns}/pods/{name}/status?watch=true}. Kubernetes
   * paths are {@code /api/v1} or {@code /apis/GROUP/VERSION}, then optionally {@code
   * namespaces/NS}, then the resource, optionally a name and a subresource.
   */
  static String shape(String path) {
    int q = path.indexOf('?');
    String bare = q < 0 ? path : path.substring(0, q);
    String query = q < 0 ? "" : path.substring(q + 1);
    String[] s = bare.split("/", -1);
    int prefix;
    if (s.length > 1 && s[1].equals("api")) {
      prefix = 3; // "", api, v1
    } else if (s.length > 1 && s[1].equals("apis")) {
      prefix = 4; // "", apis, group, version
    } else {
      return bare + queryShape(query);
    }
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < Math.min(prefix, s.length); i++) {
      out.append('/').append(s[i]);
    }
    int i = prefix;
    if (i + 1 < s.length && s[i].equals("namespaces") && i + 2 < s.length) {
      out.append("/namespaces/{ns}");
      i += 2;
    }
    if (i < s.length) {
      out.append('/').append(s[i]); // the resource
    }
    if (i + 1 < s.length) {
      out.append("/{name}");
    }
    for (int j = i + 2; j < s.length; j++) {
      out.append('/').append(s[j]); // a subresource
    }
    return out + queryShape(query);
  }

  private static String queryShape(String query) {
    if (query.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (String param : new java.util.TreeSet<>(java.util.List.of(query.split("&")))) {
      int eq = param.indexOf('=');
      String name = eq < 0 ? param : param.substring(0, eq);
      out.append(out.length() == 0 ? '?' : '&').append(name);
      if (name.equals("watch")) {
        out.append(eq < 0 ? "" : param.substring(eq));
      }
    }
    return out.toString();
  }
}
