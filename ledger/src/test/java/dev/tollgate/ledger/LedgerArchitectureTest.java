package dev.tollgate.ledger;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.security.PrivateKey;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ledger's trust boundaries, stated as rules the build enforces. */
class LedgerArchitectureTest {

  private static JavaClasses ledger;

  @BeforeAll
  static void importLedger() {
    ledger =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tollgate.ledger");
  }

  @Test
  void privateKey_onlyInSigningPackage() {
    ArchRule rule =
        noClasses()
            .that()
            .resideOutsideOfPackage("dev.tollgate.ledger.signing..")
            .should()
            .dependOnClassesThat()
            .areAssignableTo(PrivateKey.class)
            .orShould()
            .callMethod(LedgerConfig.class, "signingKeyFile")
            .because(
                "only dev.tollgate.ledger.signing may read the key file or hold the private key;"
                    + " ask LedgerSigner (a RecordSigner) for signatures and the public key instead");

    rule.check(ledger);
  }

  @Test
  void ledger_doesNotDependOnOtherServices() {
    ArchRule rule =
        noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.tollgate.gateway..", "dev.tollgate.verifier..")
            .because(
                "the ledger is an observer in its own trust domain; take what you need from the"
                    + " events and dev.tollgate.schemas, never from another service's code");

    rule.check(ledger);
  }

  @Test
  void audit_holdsPublicKeysOnly() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("dev.tollgate.ledger.audit..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.tollgate.ledger.writer..", "dev.tollgate.ledger.signing..")
            .because(
                "auditors hold public keys only; put what the auditor shares with the writer in"
                    + " dev.tollgate.ledger.chain (verification) or dev.tollgate.ledger.topic"
                    + " (reading)");

    rule.check(ledger);
  }

  @Test
  void auditorJarPackages_doNotNeedQuarkus() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(
                "dev.tollgate.ledger.audit..",
                "dev.tollgate.ledger.chain..",
                "dev.tollgate.ledger.checkpoint..",
                "dev.tollgate.ledger.index..",
                "dev.tollgate.ledger.merkle..",
                "dev.tollgate.ledger.privacy..",
                "dev.tollgate.ledger.topic..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.quarkus..",
                "io.smallrye..",
                "io.micrometer..",
                "jakarta..",
                "org.eclipse.microprofile..",
                "org.jboss..",
                "dev.tollgate.ledger.writer..",
                "dev.tollgate.ledger.signing..")
            .because(
                "these packages are all tollgate-auditor.jar ships (see the shade plugin in"
                    + " ledger/pom.xml); keep service wiring in dev.tollgate.ledger.writer so the"
                    + " chain code stays pure and the jar runs without Quarkus");

    rule.check(ledger);
  }

  @Test
  void fabric8_onlyInWatchPackage() {
    ArchRule rule =
        noClasses()
            .that()
            .resideOutsideOfPackage("dev.tollgate.ledger.watch..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.fabric8..")
            .because(
                "only the run watch talks to the cluster; hand what others need from it over as"
                    + " RunEvents on the runs topic or types of dev.tollgate.ledger.watch");

    rule.check(ledger);
  }

  @Test
  void watch_neverWritesToTheCluster() {
    Set<String> writes =
        Set.of(
            "create",
            "createOr",
            "createOrReplace",
            "update",
            "updateStatus",
            "replace",
            "replaceStatus",
            "patch",
            "patchStatus",
            "edit",
            "editStatus",
            "delete",
            "withGracePeriod",
            "serverSideApply",
            "apply",
            "scale",
            "evict");
    DescribedPredicate<JavaMethodCall> clusterWrite =
        DescribedPredicate.describe(
            "a fabric8 method that writes (create/update/patch/edit/delete/apply...)",
            call ->
                call.getTargetOwner().getPackageName().startsWith("io.fabric8")
                    && writes.contains(call.getName()));
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("dev.tollgate.ledger.watch..")
            .should()
            .callMethodWhere(clusterWrite)
            .because(
                "the ledger observes the cluster with read-only rights (list, watch, get); only"
                    + " the verifier creates PipelineRuns");

    rule.check(ledger);
  }

  @Test
  void packages_noCycles() {
    slices()
        .matching("dev.tollgate.ledger.(*)..")
        .should()
        .beFreeOfCycles()
        .because(
            "each package holds one capability and leans only on those below it;"
                + " move the shared type down, or pass a value in, instead of importing back up")
        .check(ledger);
  }
}
