package dev.tollgate.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The gateway's place in the architecture, as rules a build can check. */
class GatewayArchitectureTest {

  private static final JavaClasses GATEWAY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.tollgate.gateway");

  @Test
  void gateway_kubernetesClients_areNeverUsed() {
    noClasses()
        .that()
        .resideInAPackage("dev.tollgate.gateway..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.fabric8..", "io.kubernetes..")
        .because(
            "the gateway never touches the cluster: it authenticates deliveries and emits trigger"
                + " events, and only the verifier may create PipelineRuns. Put cluster work in the"
                + " verifier and let it react to the trigger on tollgate.triggers.v1.")
        .check(GATEWAY);
  }

  @Test
  void gateway_otherServices_areNeverUsed() {
    noClasses()
        .that()
        .resideInAPackage("dev.tollgate.gateway..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.tollgate.verifier..", "dev.tollgate.ledger..")
        .because(
            "services meet only through the event contracts on Kafka. Move what both need into"
                + " the schemas module (dev.tollgate.schemas) instead of importing another"
                + " service's classes.")
        .check(GATEWAY);
  }

  @Test
  void packages_noCycles() {
    slices()
        .matching("dev.tollgate.gateway.(*)..")
        .should()
        .beFreeOfCycles()
        .because(
            "each package holds one capability and leans only on those below it;"
                + " move the shared type down, or pass a value in, instead of importing back up")
        .check(GATEWAY);
  }
}
