/**
 * {@code tollgate policy test DIR}: trigger policies tested against fixture triggers with the
 * decisions they are expected to get, as {@code kyverno test} tests Kyverno policies. Each trigger
 * is decided by the verifier's own decider ({@code dev.tollgate.verifier.decide.Decider}) under the
 * policies the manifest names, read by the verifier's own policy reader. Threat-model rules owned
 * here: <b>a test decides nothing it was not given</b>: the bundle's verification report is the one
 * the test declares ({@link dev.tollgate.cli.policytest.DeclaredVerification}), never an answer of
 * a registry, and a decision that needs one the test did not declare is an error, not a pass; and
 * <b>any difference fails</b>: the command exits non-zero on any decision that differs.
 */
package dev.tollgate.cli.policytest;
