package dev.tollgate.verifier.launch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tekton's {@code tekton.dev/v1} PipelineRun, as much of it as the verifier writes and reads. The
 * verifier creates PipelineRuns only; it has no type for TaskRuns.
 */
@Group("tekton.dev")
@Version("v1")
@Kind("PipelineRun")
@Plural("pipelineruns")
public class PipelineRun extends CustomResource<PipelineRun.Spec, PipelineRun.Status>
    implements Namespaced {
  private static final long serialVersionUID = 1L;

  /** {@code spec}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Spec {
    public PipelineRef pipelineRef;
    public List<Param> params = new ArrayList<>();
    public TaskRunTemplate taskRunTemplate;
    public List<WorkspaceBinding> workspaces;
    public Timeouts timeouts;
  }

  /** {@code spec.pipelineRef}: with the bundles resolver, the bundle pinned by digest. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class PipelineRef {
    public String resolver;
    public List<Param> params = new ArrayList<>();
  }

  /** A string parameter. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Param {
    public String name;
    public String value;

    public Param() {}

    public Param(String name, String value) {
      this.name = name;
      this.value = value;
    }
  }

  /** {@code spec.taskRunTemplate}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class TaskRunTemplate {
    public String serviceAccountName;
  }

  /** A workspace backed by the tenant's claim or an emptyDir. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class WorkspaceBinding {
    public String name;
    public Map<String, String> persistentVolumeClaim;
    public Map<String, Object> emptyDir;
  }

  /** {@code spec.timeouts}, as Go durations. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Timeouts {
    public String pipeline;
  }

  /** {@code status}: read only, written by Tekton through the status subresource. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Status {
    public List<Map<String, Object>> conditions;
  }
}
