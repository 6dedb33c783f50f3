package dev.tollgate.ledger.signing;

import dev.tollgate.ledger.LedgerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Makes the ledger's signer available to the service. The only reader of the key-file setting: a
 * missing or invalid key stops the service from starting.
 */
@ApplicationScoped
public class LedgerSignerProducer {

  private static final Logger LOG = Logger.getLogger(LedgerSignerProducer.class);

  @Produces
  @Singleton
  LedgerSigner signer(LedgerConfig config) throws SigningKeyException {
    LedgerSigner signer = LedgerSigner.fromKeyFile(config.signingKeyFile());
    LOG.infof("ledger signing key loaded, key id %s", signer.publicKey().keyId());
    return signer;
  }
}
