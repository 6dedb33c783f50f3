package dev.tollgate.verifier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The trust boundaries of ARCHITECTURE.md that concern the verifier, as rules. */
@AnalyzeClasses(packages = "dev.tollgate", importOptions = ImportOption.DoNotIncludeTests.class)
class VerifierArchitectureTest {

  @ArchTest
  static final ArchRule verifierDependsOnNoOtherService =
      noClasses()
          .that()
          .resideInAPackage("dev.tollgate.verifier..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.tollgate.gateway..", "dev.tollgate.ledger..")
          .because(
              "services meet only through the contracts in dev.tollgate.schemas and Kafka topics;"
                  + " move what both need into schemas/");

  @ArchTest
  static final ArchRule noPackageCycles =
      slices()
          .matching("dev.tollgate.verifier.(*)..")
          .should()
          .beFreeOfCycles()
          .because(
              "each package holds one capability and leans only on those below it (messaging ->"
                  + " handling -> decide/launch/verify -> policy/namespace/reason/report -> engine);"
                  + " move the shared type down, or pass a value in, instead of importing back up");

  @ArchTest
  static final ArchRule deciderIsPure =
      noClasses()
          .that()
          .resideInAnyPackage("dev.tollgate.verifier.decide..", "dev.tollgate.verifier.reason..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.fabric8..",
              "org.apache.kafka..",
              "io.smallrye..",
              "io.quarkus..",
              "jakarta..",
              "org.eclipse.microprofile..",
              "io.micrometer..",
              "java.net..",
              "java.nio.file..",
              "dev.tollgate.verifier.engine..",
              "dev.tollgate.verifier.launch..",
              "dev.tollgate.verifier.cluster..",
              "dev.tollgate.verifier.messaging..",
              "dev.tollgate.verifier.handling..")
          .because(
              "the decider is pure: every rule is reached by a millisecond test with fixed"
                  + " approvals and a fixed verification report; I/O goes through the ports it is"
                  + " handed (verify.BundleVerification, policy.Approvals) and acting on an"
                  + " admission is launch's job");

  @ArchTest
  static final ArchRule decisionsAreMadeOnlyFromContracts =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.tollgate.verifier.policy..",
              "dev.tollgate.verifier.decide..",
              "dev.tollgate.verifier.launch..",
              "dev.tollgate.verifier.verify..",
              "dev.tollgate.verifier.handling..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka..", "io.smallrye.reactive.messaging..")
          .because(
              "policy decisions must not depend on transport; pass the parsed TriggerEvent in from"
                  + " the messaging layer instead");

  @ArchTest
  static final ArchRule engineIsPlainJava =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.tollgate.verifier.oci..",
              "dev.tollgate.verifier.signature..",
              "dev.tollgate.verifier.bundle..",
              "dev.tollgate.verifier.attestation..",
              "dev.tollgate.verifier.report..",
              "dev.tollgate.verifier.engine..",
              "dev.tollgate.verifier.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.quarkus..",
              "jakarta..",
              "org.eclipse.microprofile..",
              "io.smallrye..",
              "org.apache.kafka..",
              "dev.tollgate.verifier.decide..",
              "dev.tollgate.verifier.launch..",
              "dev.tollgate.verifier.handling..",
              "dev.tollgate.verifier.messaging..",
              "dev.tollgate.verifier.cluster..")
          .because(
              "the verification engine is a library the service and the CLI share; keep CDI,"
                  + " config and messaging in the service packages and pass values in");

  @ArchTest
  static final ArchRule approvalsAreKeptThroughTheirJournal =
      noClasses()
          .that()
          .resideInAPackage("dev.tollgate.verifier..")
          .and()
          .doNotHaveSimpleName("KafkaApprovalJournal")
          .should()
          .dependOnClassesThat()
          .haveSimpleName("KafkaApprovalJournal")
          .because(
              "approvals are read and written through policy.ApprovalJournal, so that the policy"
                  + " rules stay free of Kafka and tests can keep approvals in memory");

  @ArchTest
  static final ArchRule onlyLaunchClusterAndNamespacesTouchTheCluster =
      noClasses()
          .that()
          .resideInAPackage("dev.tollgate.verifier..")
          .and()
          .resideOutsideOfPackages(
              "dev.tollgate.verifier.launch..",
              "dev.tollgate.verifier.cluster..",
              "dev.tollgate.verifier.namespace..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.fabric8..")
          .because(
              "the verifier is the only component that writes to the cluster, and within it only"
                  + " launch (PipelineRuns), cluster (the client and the policy ConfigMap watch)"
                  + " and namespace (tenant defaults) do; pass values to and from them instead of a"
                  + " KubernetesClient");

  @ArchTest
  static final ArchRule nothingCreatesTaskRuns =
      noClasses()
          .that()
          .resideInAPackage("dev.tollgate.verifier..")
          .should()
          .dependOnClassesThat()
          .haveNameMatching(".*[.$]TaskRun(List|Spec|Status)?")
          .orShould()
          .callMethod(
              io.fabric8.kubernetes.client.KubernetesClient.class,
              "genericKubernetesResources",
              String.class,
              String.class)
          .orShould()
          .callMethod(
              io.fabric8.kubernetes.client.KubernetesClient.class,
              "genericKubernetesResources",
              io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.class)
          .because(
              "nobody gets to run a TaskRun directly: the verifier creates PipelineRuns from"
                  + " verified bundles only, through the typed PipelineRun resource");
}
