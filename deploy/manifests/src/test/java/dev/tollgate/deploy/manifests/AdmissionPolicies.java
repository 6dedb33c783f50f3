package dev.tollgate.deploy.manifests;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.tollgate.deploy.manifests.Kustomize.Rendered;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The admission rules read out of rendered ValidatingAdmissionPolicies or Kyverno ClusterPolicies,
 * evaluated with a real CEL implementation the way the API server (or Kyverno) does: the variables
 * object, oldObject, request and namespaceObject, every validation of every matching policy must be
 * true, and an evaluation error denies (failurePolicy: Fail).
 */
final class AdmissionPolicies {

  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("object", SimpleType.DYN)
          .addVar("oldObject", SimpleType.DYN)
          .addVar("request", SimpleType.DYN)
          .addVar("namespaceObject", SimpleType.DYN)
          // Kubernetes and Kyverno both offer cel-go's strings extension (join, split, ...).
          .addLibraries(CelExtensions.strings())
          .build();
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().addLibraries(CelExtensions.strings()).build();

  /** One validation: the expression that must hold and the message shown when it does not. */
  record Validation(String expression, String messageExpression, String message) {}

  /**
   * A policy: which resources and operations it matches, in namespaces carrying which labels
   * (matchLabels of its namespaceSelector; empty: every namespace), and its validations.
   */
  record Policy(
      String name,
      Set<String> resources,
      Set<String> operations,
      Map<String, String> namespaceLabels,
      List<Validation> rules) {

    boolean matches(String resource, String operation, Map<String, String> labels) {
      return resources.contains(resource)
          && operations.contains(operation)
          && labels.entrySet().containsAll(namespaceLabels.entrySet());
    }
  }

  /** The outcome of admitting one request: denied with the messages of the failed rules, or not. */
  record Verdict(boolean allowed, List<String> messages) {}

  private final List<Policy> policies;

  private AdmissionPolicies(List<Policy> policies) {
    this.policies = List.copyOf(policies);
  }

  List<Policy> policies() {
    return policies;
  }

  static AdmissionPolicies of(Rendered rendered) {
    List<Policy> policies = new ArrayList<>();
    for (Map<String, Object> vap : rendered.ofKind("ValidatingAdmissionPolicy")) {
      Map<String, Object> spec = map(vap.get("spec"));
      Set<String> resources = new HashSet<>();
      Set<String> operations = new HashSet<>();
      for (Object rule : list(map(spec.get("matchConstraints")).get("resourceRules"))) {
        list(map(rule).get("resources")).forEach(r -> resources.add((String) r));
        list(map(rule).get("operations")).forEach(o -> operations.add((String) o));
      }
      Map<String, String> selector =
          labels(map(map(spec.get("matchConstraints")).get("namespaceSelector")));
      List<Validation> validations = new ArrayList<>();
      for (Object validation : list(spec.get("validations"))) {
        Map<String, Object> v = map(validation);
        validations.add(
            new Validation(
                (String) v.get("expression"),
                (String) v.get("messageExpression"),
                (String) v.get("message")));
      }
      policies.add(new Policy(name(vap), resources, operations, selector, validations));
    }
    for (Map<String, Object> clusterPolicy : rendered.ofKind("ClusterPolicy")) {
      for (Object ruleObject : list(map(clusterPolicy.get("spec")).get("rules"))) {
        Map<String, Object> rule = map(ruleObject);
        Set<String> resources = new HashSet<>();
        Set<String> operations = new HashSet<>();
        Map<String, String> selector = new LinkedHashMap<>();
        for (Object any : list(map(rule.get("match")).get("any"))) {
          Map<String, Object> match = map(map(any).get("resources"));
          for (Object kind : list(match.get("kinds"))) {
            resources.add(resource((String) kind));
          }
          list(match.get("operations")).forEach(o -> operations.add((String) o));
          selector.putAll(labels(map(match.get("namespaceSelector"))));
        }
        List<Validation> validations = new ArrayList<>();
        for (Object expression :
            list(map(map(rule.get("validate")).get("cel")).get("expressions"))) {
          Map<String, Object> e = map(expression);
          validations.add(
              new Validation(
                  (String) e.get("expression"),
                  (String) e.get("messageExpression"),
                  (String) e.get("message")));
        }
        policies.add(
            new Policy(
                name(clusterPolicy) + "/" + rule.get("name"),
                resources,
                operations,
                selector,
                validations));
      }
    }
    return new AdmissionPolicies(policies);
  }

  /**
   * Kyverno's kind notation as the API server's resource name: {@code tekton.dev/*}{@code
   * /PipelineRun} is pipelineruns, {@code Pod/ephemeralcontainers} is pods/ephemeralcontainers.
   */
  static String resource(String kind) {
    String[] parts = kind.split("/");
    for (int i = 0; i < parts.length; i++) {
      if (!parts[i].isEmpty() && Character.isUpperCase(parts[i].charAt(0))) {
        String kindName = parts[i].toLowerCase(Locale.ROOT);
        String plural =
            kindName.endsWith("y")
                ? kindName.substring(0, kindName.length() - 1) + "ies"
                : kindName + "s";
        return i + 1 < parts.length ? plural + "/" + parts[i + 1] : plural;
      }
    }
    throw new AssertionError("no Kind in " + kind);
  }

  /** The policies an API server would call for this request. */
  List<Policy> matching(String operation, String resource, Map<String, String> namespaceLabels) {
    return policies.stream().filter(p -> p.matches(resource, operation, namespaceLabels)).toList();
  }

  /** The labels of a tenant namespace: created by the verifier or handed to it. */
  static final Map<String, String> TENANT = Map.of("app.kubernetes.io/managed-by", "tollgate");

  /** API groups of the resources the policies name. */
  private static final Map<String, String> GROUPS =
      Map.of(
          "pipelineruns", "tekton.dev",
          "taskruns", "tekton.dev",
          "roles", "rbac.authorization.k8s.io",
          "rolebindings", "rbac.authorization.k8s.io",
          "networkpolicies", "networking.k8s.io");

  /**
   * Admits a request in a tenant namespace as the API server would: all validations of all matching
   * policies hold.
   */
  Verdict admit(
      String operation,
      String resource,
      String username,
      Map<String, Object> object,
      Map<String, Object> oldObject) {
    return admit(operation, resource, username, object, oldObject, TENANT);
  }

  /** {@link #admit} in a namespace carrying {@code namespaceLabels}. */
  Verdict admit(
      String operation,
      String resource,
      String username,
      Map<String, Object> object,
      Map<String, Object> oldObject,
      Map<String, String> namespaceLabels) {
    Map<String, Object> metadata = map(object.get("metadata"));
    // A namespace is cluster-scoped: no request namespace, and no namespaceObject.
    boolean clusterScoped = resource.equals("namespaces");
    String namespace = clusterScoped ? "" : (String) metadata.get("namespace");
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("operation", operation);
    request.put("namespace", namespace);
    request.put("name", map(object.get("metadata")).get("name"));
    request.put("userInfo", Map.of("username", username, "groups", List.of()));
    String[] sub = resource.split("/", 2);
    String group = GROUPS.getOrDefault(sub[0], "");
    request.put("resource", Map.of("group", group, "version", "v1", "resource", sub[0]));
    request.put("subResource", sub.length > 1 ? sub[1] : "");
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("object", normalise(object));
    variables.put("oldObject", oldObject == null ? NullValue.NULL_VALUE : normalise(oldObject));
    variables.put("request", request);
    variables.put(
        "namespaceObject",
        clusterScoped
            ? NullValue.NULL_VALUE
            : Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Namespace",
                "metadata",
                Map.of("name", namespace, "labels", namespaceLabels)));

    List<String> messages = new ArrayList<>();
    boolean matched = false;
    for (Policy policy : policies) {
      if (!policy.matches(resource, operation, namespaceLabels)) {
        continue;
      }
      matched = true;
      for (Validation validation : policy.rules()) {
        Object result;
        try {
          result = evaluate(validation.expression(), variables);
        } catch (CelEvaluationException e) {
          messages.add(policy.name() + ": evaluation error (fails closed): " + e.getMessage());
          continue;
        }
        if (!Boolean.TRUE.equals(result)) {
          messages.add(policy.name() + ": " + message(validation, variables));
        }
      }
    }
    if (!matched) {
      throw new AssertionError("no policy matches " + operation + " " + resource);
    }
    return new Verdict(messages.isEmpty(), List.copyOf(messages));
  }

  private static String message(Validation validation, Map<String, Object> variables) {
    if (validation.messageExpression() == null) {
      return validation.message();
    }
    try {
      return String.valueOf(evaluate(validation.messageExpression(), variables));
    } catch (CelEvaluationException e) {
      throw new AssertionError("messageExpression fails: " + validation.messageExpression(), e);
    }
  }

  /** Compiles (type-checks) an expression; a typo is an assertion error naming it. */
  static CelAbstractSyntaxTree compile(String expression) {
    try {
      return COMPILER.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw new AssertionError("does not compile: " + expression + "\n" + e.getMessage(), e);
    }
  }

  private static Object evaluate(String expression, Map<String, Object> variables)
      throws CelEvaluationException {
    return RUNTIME.createProgram(compile(expression)).eval(variables);
  }

  /** JSON numbers as CEL ints (Long); everything else as is, recursively. */
  private static Object normalise(Object value) {
    if (value instanceof Map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      ((Map<?, ?>) value).forEach((k, v) -> copy.put((String) k, normalise(v)));
      return copy;
    }
    if (value instanceof List) {
      return ((List<?>) value).stream().map(AdmissionPolicies::normalise).toList();
    }
    if (value instanceof Integer) {
      return ((Integer) value).longValue();
    }
    return value;
  }

  private static Map<String, String> labels(Map<String, Object> selector) {
    Map<String, String> out = new LinkedHashMap<>();
    map(selector.get("matchLabels")).forEach((k, v) -> out.put(k, String.valueOf(v)));
    if (selector.containsKey("matchExpressions")) {
      throw new AssertionError("namespaceSelector.matchExpressions is not evaluated here");
    }
    return out;
  }

  private static String name(Map<String, Object> object) {
    return (String) map(object.get("metadata")).get("name");
  }

  // The value is a parsed YAML mapping: string keys, values of any of the parser's types.
  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    if (value == null) {
      return Map.of();
    }
    return (Map<String, Object>) value;
  }

  private static List<?> list(Object value) {
    return value == null ? List.of() : (List<?>) value;
  }
}
