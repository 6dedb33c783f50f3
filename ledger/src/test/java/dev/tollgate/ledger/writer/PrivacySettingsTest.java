package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.LedgerConfig;
import dev.tollgate.ledger.privacy.PayloadSealer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code tollgate.ledger.privacy} makes the writer seal, and where it keeps it. */
class PrivacySettingsTest {

  private record Privacy(boolean enabled, List<String> seal, Optional<Path> sealedStore)
      implements LedgerConfig.Privacy {}

  private static final Privacy DEFAULTS =
      new Privacy(true, List.of("trigger:/payload"), Optional.empty());

  @Test
  void sealer_defaultsWithADataDirectory_sealsTheWebhookBodyUnderTheDataDirectory() {
    PayloadSealer sealer = LedgerService.sealer(DEFAULTS, Optional.of(Path.of("/var/lib/ledger")));

    assertThat(sealer.sealsAnything()).isTrue();
    assertThat(sealer.store().orElseThrow().dir()).isEqualTo(Path.of("/var/lib/ledger/sealed"));
  }

  @Test
  void sealer_onWithoutDataDirectoryOrStore_refusesToStartSayingWhatToSet() {
    assertThatThrownBy(() -> LedgerService.sealer(DEFAULTS, Optional.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tollgate.ledger.privacy.sealed-store")
        .hasMessageContaining("tollgate.ledger.data-dir");
  }

  @Test
  void sealer_explicitStore_usedInsteadOfTheDataDirectory() {
    PayloadSealer sealer =
        LedgerService.sealer(
            new Privacy(true, List.of("trigger:/payload"), Optional.of(Path.of("/srv/sealed"))),
            Optional.of(Path.of("/var/lib/ledger")));

    assertThat(sealer.store().orElseThrow().dir()).isEqualTo(Path.of("/srv/sealed"));
  }

  @Test
  void sealer_disabled_sealsNothingAndNeedsNoStore() {
    PayloadSealer sealer =
        LedgerService.sealer(
            new Privacy(false, List.of("trigger:/payload"), Optional.empty()), Optional.empty());

    assertThat(sealer.sealsAnything()).isFalse();
  }

  @Test
  void sealer_malformedPart_refusesToStartNamingTheProperty() {
    assertThatThrownBy(
            () ->
                LedgerService.sealer(
                    new Privacy(true, List.of("trigger"), Optional.empty()),
                    Optional.of(Path.of("/var/lib/ledger"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tollgate.ledger.privacy.seal");
  }
}
