package dev.tollgate.verifier.policy;

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
 * A policy's CEL condition over the trigger, compiled when the policy is loaded. It sees {@code
 * trigger} (the trigger event as JSON, as a map) and {@code body} (its payload, or an empty map),
 * and must be boolean. An evaluation error does not match: nothing runs on a condition that could
 * not be decided.
 */
final class TriggerCondition {
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .addVar("trigger", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("body", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .setResultType(SimpleType.BOOL)
          .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final String expression;
  private final CelRuntime.Program program;

  private TriggerCondition(String expression, CelRuntime.Program program) {
    this.expression = expression;
    this.program = program;
  }

  /**
   * Compiles a condition.
   *
   * @throws IllegalArgumentException with CEL's description when it does not compile to a bool
   */
  static TriggerCondition compile(String expression) {
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
      return new TriggerCondition(expression, RUNTIME.createProgram(ast));
    } catch (CelValidationException e) {
      throw new IllegalArgumentException("does not compile: " + e.getMessage(), e);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException("cannot be planned: " + e.getMessage(), e);
    }
  }

  String expression() {
    return expression;
  }

  /** True only when the expression evaluates to true. */
  boolean test(Map<String, Object> trigger, Map<String, Object> body) {
    try {
      return Boolean.TRUE.equals(program.eval(Map.of("trigger", trigger, "body", body)));
    } catch (CelEvaluationException e) {
      return false;
    }
  }
}
