/**
 * {@code tollgate-verify}: the bundle verification engine as a command, no Quarkus. Same rules as
 * the service: <b>an error is never a pass</b> (exit codes distinguish denied from failed).
 */
package dev.tollgate.verifier.cli;
