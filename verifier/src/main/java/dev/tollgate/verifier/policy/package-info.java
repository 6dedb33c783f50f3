/**
 * Trigger policies: reading and validating them, matching triggers, binding parameters, sender
 * checks and {@code /ok-to-test} approvals. Threat-model rules owned here: <b>an invalid policy is
 * never taken</b> (the previous valid set stays in force) and <b>an approval binds to the commit
 * that was reviewed</b>.
 */
package dev.tollgate.verifier.policy;
