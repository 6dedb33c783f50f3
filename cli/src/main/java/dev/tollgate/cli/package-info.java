/**
 * The {@code tollgate} command for people: {@code policy test}, {@code explain} and {@code replay}.
 * A plain main class over picocli, not a Quarkus application, shipped as one runnable jar. Threat-
 * model rule owned here: <b>an error is never a pass</b>: every failure the command cannot classify
 * exits non-zero, and a command that reads the ledger shows only what verified.
 */
package dev.tollgate.cli;
