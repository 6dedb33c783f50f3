package dev.tollgate.ledger.watch;

import dev.tollgate.schemas.event.RunEvent;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** The two Tekton {@code tekton.dev/v1} resources the run watch observes. */
public enum TektonRun {
  PIPELINE_RUN("pipelineruns", "PipelineRun", RunEvent.Kind.PIPELINE_RUN),
  TASK_RUN("taskruns", "TaskRun", RunEvent.Kind.TASK_RUN);

  /** The API group of Tekton Pipelines. */
  public static final String GROUP = "tekton.dev";

  /** The API version watched. */
  public static final String VERSION = "v1";

  private final ResourceDefinitionContext context;
  private final String kind;
  private final RunEvent.Kind eventKind;

  TektonRun(String plural, String kind, RunEvent.Kind eventKind) {
    this.context =
        new ResourceDefinitionContext.Builder()
            .withGroup(GROUP)
            .withVersion(VERSION)
            .withPlural(plural)
            .withKind(kind)
            .withNamespaced(true)
            .build();
    this.kind = kind;
    this.eventKind = eventKind;
  }

  /** What the fabric8 generic client needs to address the resource. */
  public ResourceDefinitionContext context() {
    return context;
  }

  /** The Kubernetes kind. */
  public String kind() {
    return kind;
  }

  /** The kind as run events carry it. */
  public RunEvent.Kind eventKind() {
    return eventKind;
  }
}
