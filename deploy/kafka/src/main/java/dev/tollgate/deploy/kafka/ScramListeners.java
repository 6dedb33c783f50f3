package dev.tollgate.deploy.kafka;

import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The listeners of a secured {@link EmbeddedKafka}, set as production KRaft brokers are: clients
 * and the broker itself authenticate with SCRAM-SHA-512, the controller listener with PLAIN (SCRAM
 * credentials live in the metadata the controller serves), and StandardAuthorizer denies whatever
 * no ACL allows, except to the super user {@value EmbeddedKafka#ADMIN_USER}.
 */
final class ScramListeners {

  static final String SCRAM = ScramMechanism.SCRAM_SHA_512.mechanismName();

  private ScramListeners() {}

  static void configure(
      Properties props, String advertisedHost, int clientPort, String adminPassword) {
    String listener = SecurityProtocol.SASL_PLAINTEXT.name;
    String prefix = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
    props.put(
        "listeners", listener + "://127.0.0.1:" + clientPort + "," + controllerListener(props));
    props.put("advertised.listeners", listener + "://" + advertisedHost + ":" + clientPort);
    props.put("inter.broker.listener.name", listener);
    props.put(
        "listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:" + listener);
    props.put(prefix + "sasl.enabled.mechanisms", SCRAM);
    props.put(
        prefix + SCRAM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
        login(EmbeddedKafka.ADMIN_USER, adminPassword));
    props.put("sasl.mechanism.inter.broker.protocol", SCRAM);
    props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    props.put(
        "listener.name.controller.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + EmbeddedKafka.ADMIN_USER
            + "\" password=\""
            + adminPassword
            + "\" user_"
            + EmbeddedKafka.ADMIN_USER
            + "=\""
            + adminPassword
            + "\";");
    props.put("sasl.mechanism.controller.protocol", "PLAIN");
    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.put("super.users", "User:" + EmbeddedKafka.ADMIN_USER);
    props.put("allow.everyone.if.no.acl.found", "false");
  }

  private static String controllerListener(Properties props) {
    String listeners = props.getProperty("listeners");
    return listeners.substring(listeners.indexOf("CONTROLLER://"));
  }

  /** The client-side JAAS login of a SCRAM user. */
  static String login(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }
}
