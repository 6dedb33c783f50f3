package dev.tollgate.ledger;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How the writer's pieces may depend on each other: the split issue 14 made, kept by the build. */
class WriterArchitectureTest {

  private static JavaClasses ledger;

  @BeforeAll
  static void importLedger() {
    ledger =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tollgate.ledger");
  }

  @Test
  void appendStep_touchesNoBrokerNoDiskAndNoServiceCode() {
    noClasses()
        .that()
        .resideInAPackage("dev.tollgate.ledger.append..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "java.nio.file..",
            "java.nio.channels..",
            "dev.tollgate.ledger.port..",
            "dev.tollgate.ledger.store..",
            "dev.tollgate.ledger.recovery..",
            "dev.tollgate.ledger.writer..",
            "io.quarkus..",
            "jakarta..")
        .because(
            "the append step is pure (events in, staged records out) so that every rule of"
                + " appending is tested in milliseconds; talk to Kafka in dev.tollgate.ledger.port"
                + " and keep state in dev.tollgate.ledger.store")
        .check(ledger);
  }

  @Test
  void kafkaClients_onlyThroughThePortOnTheWriterSide() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.tollgate.ledger.writer..",
            "dev.tollgate.ledger.append..",
            "dev.tollgate.ledger.store..",
            "dev.tollgate.ledger.recovery..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.kafka.clients..")
        .because(
            "every transaction goes through dev.tollgate.ledger.port.LedgerPort, so each failure"
                + " branch can be reached without a broker; add what you need to LedgerSession")
        .check(ledger);
  }

  @Test
  void ledgerPackages_haveNoCycles() {
    slices()
        .matching("dev.tollgate.ledger.(*)..")
        .should()
        .beFreeOfCycles()
        .because(
            "each ledger package owns one rule of the threat model; a cycle means two packages"
                + " share one, so move the shared type down to the package both depend on")
        .check(ledger);
  }
}
