package dev.tollgate.verifier.attestation;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Map;

/**
 * A named condition on SLSA provenance, written in CEL and compiled once, when the policy is
 * loaded: a syntax or type error is a configuration error, not a denial at run time. The expression
 * sees {@code predicate} (the provenance predicate as a map), {@code predicateType} and {@code
 * builderId} (from {@code predicate.builder.id} in v0.2, {@code predicate.runDetails.builder.id} in
 * v1) and must be boolean.
 */
public final class ProvenanceCondition {
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .addVar("predicate", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("predicateType", SimpleType.STRING)
          .addVar("builderId", SimpleType.STRING)
          .setResultType(SimpleType.BOOL)
          .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final String name;
  private final String expression;
  private final CelRuntime.Program program;

  private ProvenanceCondition(String name, String expression, CelRuntime.Program program) {
    this.name = name;
    this.expression = expression;
    this.program = program;
  }

  /**
   * Compiles a condition.
   *
   * @throws IllegalArgumentException with CEL's description when it does not compile to a bool
   */
  public static ProvenanceCondition compile(String name, String expression) {
    if (name == null || name.isBlank() || expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("a provenance condition has a name and an expression");
    }
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
      return new ProvenanceCondition(name, expression, RUNTIME.createProgram(ast));
    } catch (CelValidationException e) {
      throw new IllegalArgumentException(
          "provenance condition '" + name + "' does not compile: " + e.getMessage(), e);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException(
          "provenance condition '" + name + "' cannot be planned: " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  public String expression() {
    return expression;
  }

  /** Evaluates over the variables; an evaluation error (e.g. a missing field) is thrown. */
  boolean evaluate(Map<String, Object> variables) throws CelEvaluationException {
    Object result = program.eval(variables);
    return Boolean.TRUE.equals(result);
  }
}
