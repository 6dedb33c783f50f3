package dev.tollgate.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * What the command may reach, as rules: it creates nothing and contacts no registry, so it never
 * touches the classes that write to the cluster, to Kafka or to a registry.
 */
@AnalyzeClasses(packages = "dev.tollgate.cli", importOptions = ImportOption.DoNotIncludeTests.class)
class CommandArchitectureTest {

  @ArchTest
  static final ArchRule createsNothing =
      noClasses()
          .that()
          .resideInAPackage("dev.tollgate.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.fabric8..",
              "io.quarkus..",
              "org.apache.kafka.clients.producer..",
              "dev.tollgate.verifier.launch..",
              "dev.tollgate.verifier.cluster..",
              "dev.tollgate.verifier.messaging..",
              "dev.tollgate.verifier.handling..",
              "dev.tollgate.ledger.writer..",
              "dev.tollgate.ledger.port..",
              "dev.tollgate.ledger.signing..")
          .because(
              "policy test, explain and replay create nothing (no PipelineRun, event, approval or"
                  + " ledger record): decide with the pure Decider and read the ledger with the"
                  + " auditor's reader");

  @ArchTest
  static final ArchRule contactsNoRegistry =
      noClasses()
          .that()
          .resideInAPackage("dev.tollgate.cli..")
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage("dev.tollgate.verifier.verify..")
                  .and(JavaClass.Predicates.simpleNameStartingWith("Caching"))
                  .or(JavaClass.Predicates.simpleName("RegistryAccess"))
                  .or(JavaClass.Predicates.simpleNameStartingWith("Registry"))
                  .or(JavaClass.Predicates.simpleName("TektonBundleVerifier")))
          .because(
              "a policy test's verification is the one the test declares and a replay's the one"
                  + " the ledger recorded: the command never asks a registry");
}
